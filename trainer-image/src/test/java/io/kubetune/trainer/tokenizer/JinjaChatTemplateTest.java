package io.kubetune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class JinjaChatTemplateTest {

  /**
   * Every fixture tokenizer's own chat_template on every fixture conversation: the text equals
   * transformers' byte for byte and its token ids equal the fixture's.
   */
  @TestFactory
  Stream<DynamicTest> tokenizerTemplatesRenderLikeTransformers() {
    JsonNode templates = Fixtures.templates();
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : templates.get("cases")) {
      if (!c.get("kind").asText().equals("hf_chat_template")) {
        continue;
      }
      tests.add(
          DynamicTest.dynamicTest(
              c.get("name").asText(),
              () -> {
                Path dir =
                    Fixtures.root()
                        .resolve(
                            templates.get("tokenizers").get(c.get("tokenizer").asText()).asText());
                try (Tokenizer t = Tokenizer.load(dir)) {
                  String text =
                      JinjaChatTemplate.of(t)
                          .render(
                              Fixtures.conversation(templates, c.get("conversation").asText()),
                              false);
                  assertThat(text).isEqualTo(c.get("text").asText());
                  assertThat(t.encode(text, false)).isEqualTo(Fixtures.ints(c.get("input_ids")));
                }
              }));
    }
    assertThat(tests).hasSize(18);
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> generationPromptMatchesTheReferencePrompts() {
    return Stream.of("llama", "qwen2", "internlm2")
        .map(
            model ->
                DynamicTest.dynamicTest(
                    model,
                    () -> {
                      Path dir = Fixtures.model(model);
                      JsonNode p =
                          new ObjectMapper()
                              .readTree(dir.resolve("reference/reference.json").toFile())
                              .get("prompts")
                              .get(2);
                      try (Tokenizer t = Tokenizer.load(dir)) {
                        assertThat(
                                JinjaChatTemplate.of(t)
                                    .render(Fixtures.messages(p.get("messages")), true))
                            .isEqualTo(p.get("rendered").asText());
                      }
                    }));
  }

  /** Python-isms of HF templates, against outputs rendered by transformers (jinja2_cases.json). */
  @TestFactory
  Stream<DynamicTest> jinja2SnippetsRenderLikeTransformers() throws IOException {
    JsonNode doc = new ObjectMapper().readTree(getClass().getResource("/jinja/jinja2_cases.json"));
    List<Map<String, Object>> messages = new ArrayList<>();
    for (JsonNode m : doc.get("messages")) {
      messages.add(
          new java.util.LinkedHashMap<>(
              Map.of("role", m.get("role").asText(), "content", m.get("content").asText())));
    }
    // keep role before content, as Python's dict order, for tojson
    List<Map<String, Object>> ordered = new ArrayList<>();
    for (Map<String, Object> m : messages) {
      Map<String, Object> o = new java.util.LinkedHashMap<>();
      o.put("role", m.get("role"));
      o.put("content", m.get("content"));
      ordered.add(o);
    }
    List<DynamicTest> tests = new ArrayList<>();
    int i = 0;
    for (JsonNode c : doc.get("cases")) {
      String source = c.get(0).asText();
      String expected = c.get(1).asText();
      tests.add(
          DynamicTest.dynamicTest(
              "case " + i++ + ": " + source,
              () -> {
                JinjaChatTemplate t =
                    new JinjaChatTemplate(source, Map.of("bos_token", "<s>", "eos_token", "</s>"));
                assertThat(t.render(ordered, true, Map.of())).isEqualTo(expected);
              }));
    }
    return tests.stream();
  }

  @Test
  void raiseExceptionStopsRenderingWithTheTemplatesMessage() {
    JinjaChatTemplate t =
        new JinjaChatTemplate(
            "{% for m in messages %}{% if m.role == 'tool' %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant') }}"
                + "{% endif %}{{ m.content }}{% endfor %}",
            Map.of());
    assertThat(t.render(List.of(ChatMessage.user("hi")), false)).isEqualTo("hi");
    assertThatThrownBy(() -> t.render(List.of(new ChatMessage("tool", "x")), false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessage("chat template failed: Conversation roles must alternate user/assistant");
  }

  @Test
  void syntaxErrorsAreReported() {
    JinjaChatTemplate t = new JinjaChatTemplate("{% for m in messages %}{{ m.content }", Map.of());
    assertThatThrownBy(() -> t.render(List.of(ChatMessage.user("hi")), false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageStartingWith("chat template failed:");
  }

  @Test
  void strftimeFollowsPython() {
    ZonedDateTime t = ZonedDateTime.of(2024, 7, 26, 15, 4, 5, 0, ZoneOffset.UTC);
    assertThat(JinjaExtensions.strftime(t, "%d %b %Y")).isEqualTo("26 Jul 2024");
    assertThat(JinjaExtensions.strftime(t, "%Y-%m-%d %H:%M:%S %A %%"))
        .isEqualTo("2024-07-26 15:04:05 Friday %");
  }

  @Test
  void pythonFloatRepr() {
    assertThat(PythonJson.pythonFloat(1.0)).isEqualTo("1.0");
    assertThat(PythonJson.pythonFloat(2.5)).isEqualTo("2.5");
    assertThat(PythonJson.pythonFloat(1e20)).isEqualTo("1e+20");
    assertThat(PythonJson.pythonFloat(1e-7)).isEqualTo("1e-07");
    assertThat(PythonJson.pythonFloat(0.0001)).isEqualTo("0.0001");
  }
}
