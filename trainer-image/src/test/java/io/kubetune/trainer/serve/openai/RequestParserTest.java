package io.kubetune.trainer.serve.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.trainer.tokenizer.ChatMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request forms that the HTTP tests do not spell out. */
class RequestParserTest {
  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void textPartsAreJoinedAndDeveloperIsASystemMessage() {
    ChatCompletionRequest r =
        RequestParser.chat(
            bytes(
                "{\"model\": \"m\", \"messages\": ["
                    + "{\"role\": \"developer\", \"content\": \"Be brief.\"},"
                    + "{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hel\"},"
                    + " {\"type\": \"text\", \"text\": \"lo\"}]}]}"));
    assertThat(r.messages())
        .containsExactly(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hello"));
  }

  @Test
  void anImagePartNeedsADataUrlAndOtherPartsAreRefused() {
    assertThatThrownBy(
            () ->
                RequestParser.chat(
                    bytes(
                        "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\":"
                            + " [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}")))
        .isInstanceOfSatisfying(
            ApiError.class,
            e ->
                assertThat(e.body().error().param())
                    .isEqualTo("messages[0].content[0].image_url.url"));
    assertThatThrownBy(
            () ->
                RequestParser.chat(
                    bytes(
                        "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\":"
                            + " [{\"type\": \"input_audio\", \"input_audio\": {}}]}]}")))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> assertThat(e.body().error().param()).isEqualTo("messages[0].content[0]"));
  }

  @Test
  void imagePartsBecomePlaceholdersWhereTheyStand() throws Exception {
    String png =
        java.util.Base64.getEncoder()
            .encodeToString(
                java.nio.file.Files.readAllBytes(
                    io.kubetune.trainer.testing.Fixtures.ROOT.resolve("llava/images/a.png")));
    ChatCompletionRequest r =
        RequestParser.chat(
            bytes(
                "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\":"
                    + " \"text\", \"text\": \"Compare \"}, {\"type\": \"image_url\", \"image_url\":"
                    + " {\"url\": \"data:image/png;base64,"
                    + png
                    + "\", \"detail\": \"low\"}}, {\"type\": \"text\", \"text\": \"with this\"}]}]}"));
    assertThat(r.messages()).containsExactly(new ChatMessage("user", "Compare <image>\nwith this"));
    assertThat(r.images()).hasSize(1);
    assertThat(r.images().get(0).width()).isPositive();
  }

  @Test
  void optionsWithTheirDefaultsAndAliases() {
    GenerationOptions o =
        RequestParser.chat(
                bytes(
                    "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                        + " \"max_tokens\": 5, \"max_completion_tokens\": 7, \"stop\": \"END\","
                        + " \"seed\": 42, \"n\": 1, \"user\": \"ignored\", \"logprobs\": false}"))
            .options();
    assertThat(o.maxTokens()).isEqualTo(7);
    assertThat(o.stop()).containsExactly("END");
    assertThat(o.seed()).isEqualTo(42L);
    assertThat(o.temperature()).isNull();
    assertThat(o.stream()).isFalse();
  }

  @Test
  void completionPromptAsAListOfOne() {
    assertThat(
            RequestParser.completion(bytes("{\"model\": \"m\", \"prompt\": [\"Once\"]}")).prompt())
        .isEqualTo("Once");
    assertThatThrownBy(
            () -> RequestParser.completion(bytes("{\"model\": \"m\", \"prompt\": [\"a\", \"b\"]}")))
        .isInstanceOf(ApiError.class);
  }

  @Test
  void duplicateKeysAndToolsAreRefused() {
    assertThatThrownBy(
            () ->
                RequestParser.chat(bytes("{\"model\": \"m\", \"model\": \"n\", \"messages\": []}")))
        .isInstanceOfSatisfying(
            ApiError.class, e -> assertThat(e.body().error().code()).isEqualTo("invalid_json"));
    assertThatThrownBy(
            () ->
                RequestParser.chat(
                    bytes(
                        "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\":"
                            + " \"x\"}], \"tools\": [{\"type\": \"function\"}]}")))
        .isInstanceOfSatisfying(
            ApiError.class, e -> assertThat(e.body().error().param()).isEqualTo("tools"));
  }

  @Test
  void onlyWellFormedUtf8IsRead() {
    byte[][] invalid = {
      {(byte) 0xC0, (byte) 0xAF}, // overlong '/', which a lenient decoder reads as '/'
      {(byte) 0xC1, (byte) 0xBF}, // overlong DEL
      {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong '/' in three bytes
      {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF}, // and in four
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate half
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
      {(byte) 0x80}, // a continuation byte alone
      {(byte) 0xE2, (byte) 0x82}, // truncated
    };
    for (byte[] bad : invalid) {
      byte[] head =
          bytes("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x");
      byte[] tail = bytes("y\"}]}");
      byte[] body = new byte[head.length + bad.length + tail.length];
      System.arraycopy(head, 0, body, 0, head.length);
      System.arraycopy(bad, 0, body, head.length, bad.length);
      System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
      assertThatThrownBy(() -> RequestParser.chat(body))
          .as(java.util.HexFormat.of().formatHex(bad))
          .isInstanceOfSatisfying(
              ApiError.class,
              e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.body().error().code()).isEqualTo("invalid_json");
                assertThat(e.getMessage()).contains("UTF-8").contains("byte " + head.length);
              });
    }
    // the largest code point and a four-byte character are fine
    assertThat(
            RequestParser.chat(
                    bytes(
                        "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\":"
                            + " \"\uDBFF\uDFFF \uD83D\uDE00\"}]}"))
                .messages()
                .get(0)
                .content())
        .isEqualTo("\uDBFF\uDFFF \uD83D\uDE00");
  }
}
