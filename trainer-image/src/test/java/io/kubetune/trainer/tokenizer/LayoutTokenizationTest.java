package io.kubetune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each published layout's tokenizer against its reference on a held-out text set (Chinese, emoji,
 * whitespace runs, special tokens written in the text, byte fallback): ids with and without special
 * tokens, and decoding. The sentencepiece layouts have no tokenizer.json: their tokenizer.model is
 * converted here, and the conversion is also compared with transformers' own.
 */
class LayoutTokenizationTest {
  static final List<String> LAYOUTS = Fixtures.LAYOUTS;
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @FieldSource("LAYOUTS")
  void idsAndDecodingMatchTheReference(String layout) throws Exception {
    Path dir = Fixtures.layout(layout);
    JsonNode ref = Fixtures.json(dir.resolve("reference/tokenization.json"));
    // InternLM2Tokenizer's convert_tokens_to_string spaces special tokens apart when they are kept;
    // with them kept we match transformers 5 and sentencepiece (see make_layout_fixtures.py)
    JsonNode decodedKept =
        ref.has("decoded_transformers5") ? ref.get("decoded_transformers5") : null;
    try (Tokenizer tok = Tokenizer.load(dir)) {
      int i = 0;
      for (JsonNode c : ref.get("cases")) {
        String text = c.get("text").asText();
        assertThat(tok.encode(text, true))
            .as("%s: ids of %s", layout, text)
            .containsExactly(ints(c.get("ids")));
        assertThat(tok.encode(text, false))
            .as("%s: ids without special tokens of %s", layout, text)
            .containsExactly(ints(c.get("ids_no_special")));
        int[] ids = ints(c.get("ids"));
        assertThat(tok.decode(ids, true))
            .as("%s: decoded (special tokens skipped) %s", layout, text)
            .isEqualTo(c.get("decoded_skip_special").asText());
        String kept = decodedKept != null ? decodedKept.get(i).asText() : c.get("decoded").asText();
        assertThat(tok.decode(ids, false)).as("%s: decoded %s", layout, text).isEqualTo(kept);
        i++;
      }
      assertThat(i).isGreaterThan(15);
    }
  }

  @ParameterizedTest
  @FieldSource("LAYOUTS")
  void thePublishedChatTemplateRendersAsTransformersRendersIt(String layout) throws Exception {
    Path dir = Fixtures.layout(layout);
    JsonNode chats = Fixtures.json(dir.resolve("reference/tokenization.json")).get("chat");
    try (Tokenizer tok = Tokenizer.load(dir)) {
      JinjaChatTemplate template = JinjaChatTemplate.of(tok);
      for (JsonNode c : chats) {
        List<ChatMessage> messages = new ArrayList<>();
        c.get("messages")
            .forEach(
                m ->
                    messages.add(
                        new ChatMessage(m.get("role").asText(), m.get("content").asText())));
        assertThat(template.render(messages, c.get("add_generation_prompt").asBoolean()))
            .as("%s %s", layout, messages)
            .isEqualTo(c.get("rendered").asText());
      }
      assertThat(chats).hasSize(3);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"internlm2-chat-1_8b", "llama-2-7b-chat-hf"})
  void sentencepieceConversionIsTransformersOwn(String layout) throws Exception {
    Path dir = Fixtures.layout(layout);
    JsonNode expected = Fixtures.json(dir.resolve("reference/backend_tokenizer.json"));
    JsonNode actual =
        SentencePieceConverter.toTokenizerJson(
            SentencePieceModel.read(dir.resolve("tokenizer.model")),
            Fixtures.json(dir.resolve("tokenizer_config.json")));
    for (String part :
        List.of("normalizer", "pre_tokenizer", "post_processor", "decoder", "model")) {
      assertThat(actual.get(part)).as("%s: %s", layout, part).isEqualTo(expected.get(part));
    }
    assertThat(addedTokens(actual)).isEqualTo(addedTokens(expected));
  }

  private static Set<String> addedTokens(JsonNode root) {
    Set<String> out = new HashSet<>();
    root.get("added_tokens")
        .forEach(
            t -> out.add(t.get("id") + " " + t.get("content").asText() + " " + t.get("special")));
    return out;
  }

  private static int[] ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
