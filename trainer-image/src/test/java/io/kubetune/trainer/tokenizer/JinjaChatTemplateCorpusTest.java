package io.kubetune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The published chat templates of the Llama 3.x, Qwen 1.5/2/2.5/3, InternLM2, Mistral, Gemma, Phi-3
 * and DeepSeek families (resources/jinja/corpus, made by chat_template_corpus.py) on multi-turn,
 * system, whitespace, non-ASCII and reasoning conversations, with and without the generation
 * prompt: kubetune renders transformers' text byte for byte and tokenizes it to transformers' ids,
 * or raises the template's own error where transformers does.
 */
class JinjaChatTemplateCorpusTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Tokenizer> TOKENIZERS = new HashMap<>();

  @AfterAll
  static void closeTokenizers() {
    TOKENIZERS.values().forEach(Tokenizer::close);
  }

  @TestFactory
  Stream<DynamicTest> everyPublishedTemplateRendersAndTokenizesAsTransformers() throws IOException {
    JsonNode doc = JSON.readTree(corpus().resolve("cases.json").toFile());
    Clock clock =
        Clock.fixed(
            LocalDateTime.parse(doc.get("frozen_now").asText()).toInstant(ZoneOffset.UTC),
            ZoneOffset.UTC);
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : doc.get("cases")) {
      String name =
          c.get("template").asText()
              + " / "
              + c.get("conversation").asText()
              + (c.get("add_generation_prompt").asBoolean() ? " + generation prompt" : "")
              + (c.get("variables").isEmpty() ? "" : " " + c.get("variables"));
      tests.add(DynamicTest.dynamicTest(name, () -> check(c, clock)));
    }
    return tests.stream();
  }

  @Test
  void theCorpusCoversTheFamiliesUsersShip() throws IOException {
    JsonNode doc = JSON.readTree(corpus().resolve("cases.json").toFile());
    Set<String> families = new LinkedHashSet<>();
    Set<String> templates = new LinkedHashSet<>();
    int rendered = 0;
    for (JsonNode c : doc.get("cases")) {
      families.add(c.get("family").asText());
      templates.add(c.get("template").asText());
      rendered += c.has("text") ? 1 : 0;
    }
    assertThat(families)
        .containsExactlyInAnyOrder(
            "llama3", "qwen", "internlm2", "mistral", "gemma", "phi3", "deepseek");
    assertThat(templates).hasSize(26);
    assertThat(rendered).isGreaterThan(500);
  }

  private static void check(JsonNode c, Clock clock) throws IOException {
    Tokenizer tok = tokenizer(c.get("family").asText());
    String source =
        Files.readString(
            corpus().resolve("templates").resolve(c.get("template").asText() + ".jinja"),
            StandardCharsets.UTF_8);
    JinjaChatTemplate template =
        new JinjaChatTemplate(source, JinjaChatTemplate.specialTokenVariables(tok.config()), clock);
    List<Map<String, Object>> messages = new ArrayList<>();
    for (JsonNode m : c.get("messages")) {
      Map<String, Object> map = new LinkedHashMap<>();
      m.fields().forEachRemaining(f -> map.put(f.getKey(), f.getValue().asText()));
      messages.add(map);
    }
    Map<String, Object> variables = JSON.convertValue(c.get("variables"), Map.class);
    boolean gen = c.get("add_generation_prompt").asBoolean();
    if (c.has("error")) {
      assertThatThrownBy(() -> template.render(messages, gen, variables))
          .isInstanceOf(ChatTemplateException.class)
          .hasMessage("chat template failed: " + c.get("error").asText());
      return;
    }
    String text = template.render(messages, gen, variables);
    assertThat(text).isEqualTo(c.get("text").asText());
    int[] expected = new int[c.get("input_ids").size()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = c.get("input_ids").get(i).asInt();
    }
    assertThat(tok.encode(text, false)).containsExactly(expected);
  }

  private static synchronized Tokenizer tokenizer(String family) throws IOException {
    Tokenizer t = TOKENIZERS.get(family);
    if (t == null) {
      t = Tokenizer.load(corpus().resolve("tokenizers").resolve(family));
      TOKENIZERS.put(family, t);
    }
    return t;
  }

  private static Path corpus() {
    try {
      return Path.of(
              JinjaChatTemplateCorpusTest.class.getResource("/jinja/corpus/sources.json").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
