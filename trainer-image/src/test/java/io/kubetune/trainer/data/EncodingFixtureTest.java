package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.tokenizer.Fixtures;
import io.kubetune.trainer.tokenizer.JinjaChatTemplate;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.tokenizer.XTunerTemplates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Token for token and label for label: every case of fixtures/data/templates.json. */
class EncodingFixtureTest {
  private static final JsonNode FIXTURE = Fixtures.templates();
  private static final Map<String, Tokenizer> TOKENIZERS = new HashMap<>();

  private static Tokenizer tokenizer(String name) {
    return TOKENIZERS.computeIfAbsent(
        name,
        n -> {
          try {
            return Tokenizer.load(
                Fixtures.root().resolve(FIXTURE.get("tokenizers").get(n).asText()));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  @AfterAll
  static void close() {
    TOKENIZERS.values().forEach(Tokenizer::close);
  }

  @TestFactory
  Stream<DynamicTest> everyFixtureCase() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }
    assertThat(tests).hasSize(48);
    return tests.stream();
  }

  private static void check(JsonNode c) throws Exception {
    Tokenizer t = tokenizer(c.get("tokenizer").asText());
    String kind = c.get("kind").asText();
    EncodedSample s =
        switch (kind) {
          case "xtuner_sft" ->
              new XTunerEncoder(t, XTunerTemplates.named(c.get("template").asText()).orElseThrow())
                  .encode(chat(c));
          case "xtuner_alpaca" ->
              new XTunerEncoder(t, XTunerTemplates.named(c.get("template").asText()).orElseThrow())
                  .encode(new AlpacaParser().parse(c.get("record")));
          case "xtuner_pretrain" -> new PretrainEncoder(t).encode(new Sample.Text(pretrainText(c)));
          case "hf_chat_template" ->
              new ChatTemplateEncoder(t, JinjaChatTemplate.of(t)).encode(chat(c));
          default -> throw new IllegalArgumentException(kind);
        };
    assertThat(s.inputIds()).isEqualTo(Fixtures.ints(c.get("input_ids")));
    assertThat(s.labels()).isEqualTo(Fixtures.ints(c.get("labels")));
  }

  /** The fixture conversation as an openai record, read by the parser training uses. */
  private static Sample chat(JsonNode c) throws InvalidRecordException {
    for (JsonNode conv : FIXTURE.get("conversations")) {
      if (conv.get("name").asText().equals(c.get("conversation").asText())) {
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        record.set("messages", conv.get("messages"));
        return new OpenAiParser().parse(record);
      }
    }
    throw new IllegalArgumentException(c.toString());
  }

  private static String pretrainText(JsonNode c) {
    for (JsonNode p : FIXTURE.get("pretrain_samples")) {
      if (p.get("name").asText().equals(c.get("conversation").asText())) {
        return p.get("text").asText();
      }
    }
    throw new IllegalArgumentException(c.toString());
  }

  @Test
  void truncationKeepsTheHead() throws Exception {
    JsonNode c = FIXTURE.get("cases").get(0);
    EncodedSample s =
        new XTunerEncoder(tokenizer("internlm2"), XTunerTemplates.INTERNLM2_CHAT).encode(chat(c));
    EncodedSample cut = s.truncate(40);
    assertThat(cut.length()).isEqualTo(40);
    assertThat(cut.inputIds())
        .isEqualTo(java.util.Arrays.copyOf(Fixtures.ints(c.get("input_ids")), 40));
    assertThat(cut.labels()).isEqualTo(java.util.Arrays.copyOf(Fixtures.ints(c.get("labels")), 40));
    assertThat(s.truncate(1000)).isSameAs(s);
  }
}
