package io.kubetune.trainer.serve.http;

import static io.kubetune.trainer.serve.http.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.serve.BatchEngine;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.vision.ImageDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenAI image_url content parts (data: URLs) on a served LLaVA, and what is refused. */
class ImageInputTest {
  private static final Path IMAGES = Fixtures.ROOT.resolve("llava/images");
  private static final String URL_PARAM = "messages[0].content[0].image_url.url";
  private static TestServer llava;

  @BeforeAll
  static void start() {
    llava =
        TestServer.llava(
            new BatchEngine.Config(2, 4, 256),
            TestServer.options(null).withMaxBodyBytes(1024 * 1024));
  }

  @AfterAll
  static void stop() {
    llava.close();
  }

  private static String dataUrl(String file) throws Exception {
    String type = file.endsWith(".jpg") ? "image/jpeg" : "image/png";
    return "data:"
        + type
        + ";base64,"
        + Base64.getEncoder().encodeToString(Files.readAllBytes(IMAGES.resolve(file)));
  }

  /** A chat body whose user message is an image part with this URL, then a text part. */
  private static String withImage(String url, String text, String extra) {
    ObjectNode body = TestServer.JSON.createObjectNode();
    body.put("model", "llava");
    ObjectNode user = body.putArray("messages").addObject();
    user.put("role", "user");
    ArrayNode parts = user.putArray("content");
    parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
    parts.addObject().put("type", "text").put("text", text);
    body.put("max_tokens", 6);
    String json = body.toString();
    return json.substring(0, json.length() - 1) + extra + "}";
  }

  @Test
  void anImageAnswersAsTheLlavaDoesInProcess() throws Exception {
    HttpResponse<String> r =
        llava.post("/v1/chat/completions", withImage(dataUrl("a.png"), "What is it?", ""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json(r.body());

    // the same greedy reply and prompt as the model gives in-process, image and all
    Generation expected =
        llava
            .images()
            .orElseThrow()
            .reply(
                List.of(ChatMessage.user("<image>\nWhat is it?")),
                List.of(ImageDecoder.read(IMAGES.resolve("a.png"))),
                SamplingParams.greedy(6, Set.of()),
                TokenListener.NONE);
    assertThat(body.at("/choices/0/message/content").asText()).isEqualTo(expected.text());
    assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(expected.promptTokens());
    // 16 positions for the picture's features (4 x 4 patches of the fixture's tower)
    assertThat(expected.promptTokens()).isGreaterThan(16);
  }

  @Test
  void streamedWithAnImageGivesTheSameText() throws Exception {
    String whole =
        json(llava
                .post("/v1/chat/completions", withImage(dataUrl("e.jpg"), "Describe.", ""))
                .body())
            .at("/choices/0/message/content")
            .asText();
    HttpResponse<String> r =
        llava.post(
            "/v1/chat/completions", withImage(dataUrl("e.jpg"), "Describe.", ", \"stream\": true"));
    assertThat(r.statusCode()).isEqualTo(200);
    StringBuilder text = new StringBuilder();
    for (String data : TestServer.sseData(r.body())) {
      if (!data.equals("[DONE]")) {
        text.append(json(data).at("/choices/0/delta/content").asText(""));
      }
    }
    assertThat(text.toString()).isEqualTo(whole);
  }

  private static void assertBadRequest(String body, String param, String... says) {
    HttpResponse<String> r = llava.post("/v1/chat/completions", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode error = json(r.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("param").asText()).isEqualTo(param);
    assertThat(error.get("message").asText()).contains(says);
  }

  @Test
  void aUrlThatIsNotDataIsRefusedNamingTheField() {
    assertBadRequest(
        withImage("https://example.com/cat.png", "What is it?", ""),
        URL_PARAM,
        "fetches no images from the network",
        "https: URLs",
        "data:image/png;base64");
  }

  @Test
  void badBase64AndNonImagesAreRefusedNamingTheField() {
    assertBadRequest(
        withImage("data:image/png;base64,@@not*base64@@", "x", ""), URL_PARAM, "not valid base64");
    String text = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
    assertBadRequest(
        withImage("data:image/png;base64," + text, "x", ""), URL_PARAM, "not an image");
    assertBadRequest(
        withImage("data:text/plain;base64," + text, "x", ""), URL_PARAM, "expected an image");
    assertBadRequest(withImage("data:image/png,rawbytes", "x", ""), URL_PARAM, "base64");
    assertBadRequest(
        "{\"model\": \"llava\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\":"
            + " \"image_url\", \"image_url\": {}}]}]}",
        URL_PARAM,
        "is missing");
  }

  @Test
  void aPlaceholderTypedWithoutAnImageIsRefused() {
    assertBadRequest(
        "{\"model\": \"llava\", \"messages\": [{\"role\": \"user\", \"content\": \"<image>"
            + " what?\"}]}",
        "messages",
        "write no '<image>' in the text yourself");
  }

  @Test
  void onlyUserMessagesCarryImages() throws Exception {
    String body =
        withImage(dataUrl("a.png"), "x", "").replace("\"role\":\"user\"", "\"role\":\"assistant\"");
    assertBadRequest(body, "messages[0].content", "only user messages");
  }

  @Test
  void theServerStillAnswersAfterRefusals() throws Exception {
    assertBadRequest(withImage("http://x/y.png", "x", ""), URL_PARAM, "data:");
    assertThat(
            llava
                .post("/v1/chat/completions", withImage(dataUrl("d_gray.png"), "Hi", ""))
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void aTextModelRefusesImages() throws Exception {
    try (TestServer text =
        TestServer.start(new BatchEngine.Config(1, 1, 256), TestServer.options(null))) {
      HttpResponse<String> r =
          text.post(
              "/v1/chat/completions",
              withImage(dataUrl("a.png"), "x", "").replace("\"llava\"", "\"qwen2\""));
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(json(r.body()).at("/error/param").asText()).isEqualTo("messages");
      assertThat(json(r.body()).at("/error/message").asText()).contains("reads text only");
    }
  }
}
