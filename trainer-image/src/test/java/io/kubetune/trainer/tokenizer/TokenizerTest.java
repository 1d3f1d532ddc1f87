package io.kubetune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenizerTest {

  @Test
  void llamaSpecialTokensComeFromTokenizerConfig() throws Exception {
    try (Tokenizer t = Tokenizer.load(Fixtures.model("llama"))) {
      assertThat(t.bosId()).isEqualTo(OptionalInt.of(994));
      assertThat(t.eosId()).isEqualTo(OptionalInt.of(999));
      assertThat(t.padId()).isEqualTo(OptionalInt.of(996));
      assertThat(t.tokenId("<|start_header_id|>")).isEqualTo(OptionalInt.of(997));
      assertThat(t.tokenId("no such token")).isEmpty();
      assertThat(t.vocabSize()).isEqualTo(1000);
      assertThat(t.isSpecial(994)).isTrue();
      assertThat(t.isSpecial(257)).isFalse();
      assertThat(t.token(994)).contains("<|begin_of_text|>");
      assertThat(t.chatTemplate()).hasValueSatisfying(s -> assertThat(s).contains("bos_token"));
    }
  }

  @Test
  void qwen2HasNoBosAndAddsNothing() throws Exception {
    try (Tokenizer t = Tokenizer.load(Fixtures.model("qwen2"))) {
      assertThat(t.bosId()).isEmpty();
      assertThat(t.eosId()).isEqualTo(OptionalInt.of(999));
      assertThat(t.padId()).isEqualTo(OptionalInt.of(997));
      assertThat(t.config().tokenizerClass()).contains("Qwen2Tokenizer");
      assertThat(t.encode("Hello", true)).isEqualTo(t.encode("Hello", false));
    }
  }

  @Test
  void addSpecialTokensPrependsBosForLlamaAndInternlm2() throws Exception {
    try (Tokenizer llama = Tokenizer.load(Fixtures.model("llama"));
        Tokenizer internlm = Tokenizer.load(Fixtures.model("internlm2"))) {
      assertThat(llama.encode("Hello", true)[0]).isEqualTo(994);
      assertThat(internlm.encode("Hello", true)[0]).isEqualTo(1);
      assertThat(internlm.encode("Hello", false)[0]).isNotEqualTo(1);
    }
  }

  /** The reference prompts were tokenized by transformers; ours must agree id for id. */
  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen2", "internlm2"})
  void encodesLikeTransformers(String model) throws Exception {
    Path dir = Fixtures.model(model);
    JsonNode ref =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(dir.resolve("reference/reference.json").toFile());
    try (Tokenizer t = Tokenizer.load(dir)) {
      for (JsonNode p : ref.get("prompts")) {
        boolean special = p.get("add_special_tokens").asBoolean();
        String text =
            p.hasNonNull("rendered") ? p.get("rendered").asText() : p.get("text").asText();
        assertThat(t.encode(text, special))
            .as("%s prompt %s", model, p.get("index"))
            .isEqualTo(Fixtures.ints(p.get("input_ids")));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen2", "internlm2"})
  void longTextsAreNotTruncated(String model) throws Exception {
    // DJL truncates to 512 tokens by default; tokenizer_config.json says model_max_length 256
    String text = "The quick brown fox jumps over the lazy dog. 你好，世界！ ".repeat(1000);
    try (Tokenizer t = Tokenizer.load(Fixtures.model(model))) {
      int[] ids = t.encode(text, false);
      assertThat(ids.length).isGreaterThan(10_000);
      assertThat(t.decode(ids, false)).isEqualTo(text);
    }
  }

  /** Some saved tokenizer.json files carry truncation and padding settings; they must not apply. */
  @Test
  void truncationAndPaddingInTokenizerJsonAreIgnored(@TempDir Path dir) throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode root =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(Fixtures.model("llama").resolve("tokenizer.json").toFile());
    root.set(
        "truncation",
        json.readTree(
            "{\"direction\": \"Right\", \"max_length\": 16, \"strategy\": \"LongestFirst\","
                + " \"stride\": 0}"));
    root.set(
        "padding",
        json.readTree(
            "{\"strategy\": {\"Fixed\": 64}, \"direction\": \"Right\", \"pad_to_multiple_of\": null,"
                + " \"pad_id\": 996, \"pad_type_id\": 0, \"pad_token\": \"<|finetune_right_pad_id|>\"}"));
    json.writeValue(dir.resolve("tokenizer.json").toFile(), root);
    java.nio.file.Files.copy(
        Fixtures.model("llama").resolve("tokenizer_config.json"),
        dir.resolve("tokenizer_config.json"));
    try (Tokenizer t = Tokenizer.load(dir);
        Tokenizer reference = Tokenizer.load(Fixtures.model("llama"))) {
      String text = "The quick brown fox jumps over the lazy dog. ".repeat(10);
      assertThat(t.encode(text, true))
          .isEqualTo(reference.encode(text, true))
          .hasSizeGreaterThan(16);
      assertThat(t.encode("Hi", false)).isEqualTo(reference.encode("Hi", false));
    }
  }

  @Test
  void decodeSkipsSpecialTokensOnRequest() throws Exception {
    try (Tokenizer t = Tokenizer.load(Fixtures.model("qwen2"))) {
      int[] ids = t.encode("<|im_start|>user\nHi<|im_end|>", false);
      assertThat(ids[0]).isEqualTo(998);
      assertThat(t.decode(ids, false)).isEqualTo("<|im_start|>user\nHi<|im_end|>");
      assertThat(t.decode(ids, true)).isEqualTo("user\nHi");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen2", "internlm2"})
  void streamingPiecesConcatenateToTheFullText(String model) throws Exception {
    String text = "巴黎是法国的首都。Ça va très bien! 🚀🙂 Café<|im_end|> done";
    try (Tokenizer t = Tokenizer.load(Fixtures.model(model))) {
      int[] ids = t.encode(text, false);
      StreamingDecoder d = new StreamingDecoder(t, false);
      StringBuilder streamed = new StringBuilder();
      for (int id : ids) {
        String piece = d.push(id);
        assertThat(piece).doesNotContain("\uFFFD");
        streamed.append(piece);
      }
      streamed.append(d.flush());
      assertThat(streamed.toString()).isEqualTo(t.decode(ids, false));
    }
  }

  @Test
  void missingTokenizerJsonIsAClearError(@TempDir Path dir) {
    assertThatThrownBy(() -> Tokenizer.load(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("tokenizer.json");
  }
}
