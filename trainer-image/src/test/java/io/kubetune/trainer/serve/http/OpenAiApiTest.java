package io.kubetune.trainer.serve.http;

import static io.kubetune.trainer.serve.http.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.serve.BatchEngine;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible API against a real server on a fixture model. */
class OpenAiApiTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            new BatchEngine.Config(4, 16, 256),
            TestServer.options(null).withMaxBodyBytes(64 * 1024));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String chat(String extra) {
    return "{\"model\": \"qwen2\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello there\"}]"
        + extra
        + "}";
  }

  @Test
  void chatCompletion() {
    HttpResponse<String> r = server.post("/v1/chat/completions", chat(", \"max_tokens\": 12"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode body = json(r.body());
    assertThat(body.get("id").asText()).startsWith("chatcmpl-");
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("model").asText()).isEqualTo("qwen2");
    assertThat(body.get("created").asLong())
        .isBetween(System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 1);
    JsonNode choice = body.get("choices").get(0);
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").asText()).isNotEmpty();
    assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
    JsonNode usage = body.get("usage");
    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(12);
    assertThat(usage.get("prompt_tokens").asInt()).isGreaterThan(5);
    assertThat(usage.get("total_tokens").asInt())
        .isEqualTo(usage.get("prompt_tokens").asInt() + 12);
  }

  @Test
  void streamedChatSendsTheSameTextInChunks() {
    String whole =
        json(server.post("/v1/chat/completions", chat(", \"max_tokens\": 20")).body())
            .get("choices")
            .get(0)
            .get("message")
            .get("content")
            .asText();
    HttpResponse<String> r =
        server.post(
            "/v1/chat/completions",
            chat(
                ", \"max_tokens\": 20, \"stream\": true,"
                    + " \"stream_options\": {\"include_usage\": true}"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/event-stream");
    List<String> data = TestServer.sseData(r.body());
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    List<JsonNode> chunks =
        data.subList(0, data.size() - 1).stream().map(TestServer::json).toList();
    String id = chunks.get(0).get("id").asText();
    assertThat(id).startsWith("chatcmpl-");
    for (JsonNode c : chunks) {
      assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(c.get("id").asText()).isEqualTo(id);
      assertThat(c.get("model").asText()).isEqualTo("qwen2");
    }
    JsonNode first = chunks.get(0).get("choices").get(0);
    assertThat(first.get("delta").get("role").asText()).isEqualTo("assistant");
    assertThat(first.get("finish_reason").isNull()).isTrue();
    StringBuilder text = new StringBuilder();
    for (JsonNode c : chunks.subList(1, chunks.size() - 2)) {
      JsonNode choice = c.get("choices").get(0);
      assertThat(choice.get("finish_reason").isNull()).isTrue();
      text.append(choice.get("delta").get("content").asText());
    }
    assertThat(chunks.size()).as("role, content chunks, finish, usage").isGreaterThan(4);
    assertThat(text.toString()).isEqualTo(whole);
    JsonNode last = chunks.get(chunks.size() - 2).get("choices").get(0);
    assertThat(last.get("finish_reason").asText()).isEqualTo("length");
    assertThat(last.get("delta").isEmpty()).isTrue();
    JsonNode usage = chunks.get(chunks.size() - 1);
    assertThat(usage.get("choices")).isEmpty();
    assertThat(usage.get("usage").get("completion_tokens").asInt()).isEqualTo(20);
  }

  @Test
  void withoutIncludeUsageTheStreamHasNoUsageChunk() {
    List<String> data =
        TestServer.sseData(
            server
                .post("/v1/chat/completions", chat(", \"max_tokens\": 3, \"stream\": true"))
                .body());
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(data.subList(0, data.size() - 1))
        .allSatisfy(d -> assertThat(json(d).has("usage")).isFalse());
    assertThat(json(data.get(data.size() - 2)).get("choices").get(0).get("finish_reason").asText())
        .isEqualTo("length");
  }

  @Test
  void sameSeedSameOutputAtTemperatureZeroAndWhenSampling() {
    for (String sampling :
        List.of(
            "\"temperature\": 0, \"seed\": 7",
            "\"temperature\": 0.9, \"top_p\": 0.95, \"seed\": 1234")) {
      String body = chat(", \"max_tokens\": 16, " + sampling);
      String a = content(server.post("/v1/chat/completions", body));
      String b = content(server.post("/v1/chat/completions", body));
      assertThat(a).as(sampling).isNotEmpty().isEqualTo(b);
    }
  }

  static String content(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r.body()).get("choices").get(0).get("message").get("content").asText();
  }

  @Test
  void stopSequencesCutTheReply() {
    String full = content(server.post("/v1/chat/completions", chat(", \"max_tokens\": 24")));
    String stop = asciiPiece(full);
    JsonNode r =
        json(
            server
                .post(
                    "/v1/chat/completions",
                    chat(", \"max_tokens\": 24, \"stop\": [\"" + stop + "\"]"))
                .body());
    JsonNode choice = r.get("choices").get(0);
    assertThat(choice.get("message").get("content").asText())
        .isEqualTo(full.substring(0, full.indexOf(stop)));
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
  }

  /** Two ASCII letters of the text that come after its first few characters. */
  static String asciiPiece(String text) {
    for (int i = 3; i + 2 <= text.length(); i++) {
      String piece = text.substring(i, i + 2);
      if (piece.chars().allMatch(c -> c < 128 && Character.isLetter(c))) {
        return piece;
      }
    }
    throw new AssertionError("no ASCII letters in " + text);
  }

  @Test
  void textCompletionWholeAndStreamed() {
    String body = "{\"model\": \"qwen2\", \"prompt\": \"Once upon a time\", \"max_tokens\": 10";
    JsonNode whole = json(server.post("/v1/completions", body + "}").body());
    assertThat(whole.get("id").asText()).startsWith("cmpl-");
    assertThat(whole.get("object").asText()).isEqualTo("text_completion");
    JsonNode choice = whole.get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
    assertThat(whole.get("usage").get("completion_tokens").asInt()).isEqualTo(10);

    List<String> data =
        TestServer.sseData(server.post("/v1/completions", body + ", \"stream\": true}").body());
    assertThat(data).last().isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    for (String d : data.subList(0, data.size() - 1)) {
      JsonNode c = json(d);
      assertThat(c.get("object").asText()).isEqualTo("text_completion");
      text.append(c.get("choices").get(0).get("text").asText());
    }
    assertThat(text.toString()).isEqualTo(choice.get("text").asText());
    assertThat(json(data.get(data.size() - 2)).get("choices").get(0).get("finish_reason").asText())
        .isEqualTo("length");
  }

  @Test
  void models() {
    JsonNode list = json(server.get("/v1/models").body());
    assertThat(list.get("object").asText()).isEqualTo("list");
    JsonNode model = list.get("data").get(0);
    assertThat(model.get("id").asText()).isEqualTo("qwen2");
    assertThat(model.get("object").asText()).isEqualTo("model");
    assertThat(model.get("owned_by").asText()).isEqualTo("kubetune");
    assertThat(json(server.get("/v1/models/qwen2").body()).get("id").asText()).isEqualTo("qwen2");
    assertError(server.get("/v1/models/gpt-4"), 404, "model", "model_not_found");
  }

  @Test
  void healthWhenReady() {
    HttpResponse<String> r = server.get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).get("status").asText()).isEqualTo("ok");
  }

  @Test
  void metricsCountRequestsTokensAndLatencies() {
    server.post("/v1/chat/completions", chat(", \"max_tokens\": 5"));
    server.post("/v1/chat/completions", "{");
    String metrics = server.get("/metrics").body();
    assertThat(metrics)
        .contains("kubetune_serve_requests_total{route=\"/v1/chat/completions\",status=\"200\"}")
        .contains("kubetune_serve_requests_total{route=\"/v1/chat/completions\",status=\"400\"}")
        .contains("kubetune_serve_time_to_first_token_seconds_bucket{le=\"0.005\"}")
        .contains("kubetune_serve_inter_token_latency_seconds_count")
        .contains("kubetune_serve_queue_depth ")
        .contains("kubetune_serve_batch_size ")
        .contains("kubetune_serve_request_duration_seconds_bucket{route=\"/v1/chat/completions\"");
    assertThat(server.metric("kubetune_serve_completion_tokens_total")).isGreaterThanOrEqualTo(5);
    assertThat(server.metric("kubetune_serve_prompt_tokens_total")).isGreaterThan(5);
    assertThat(server.metric("kubetune_serve_time_to_first_token_seconds_count")).isPositive();
    assertThat(server.metric("kubetune_serve_model_ready")).isEqualTo(1);
  }

  @Test
  void webPageAndAssets() {
    HttpResponse<String> page = server.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'self'");
    assertThat(page.body()).contains("/chat.js", "/chat.css").doesNotContain("https://");
    assertThat(server.get("/chat.js").body()).contains("/v1/chat/completions");
    assertThat(server.get("/chat.css").statusCode()).isEqualTo(200);
  }

  // ---- errors: status and OpenAI's error shape ----

  static JsonNode assertError(HttpResponse<String> r, int status, String param, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    JsonNode error = json(r.body()).get("error");
    assertThat(error).as(r.body()).isNotNull();
    assertThat(error.fieldNames()).toIterable().containsExactly("message", "type", "param", "code");
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").asText()).isNotBlank();
    if (param == null) {
      assertThat(error.get("param").isNull()).isTrue();
    } else {
      assertThat(error.get("param").asText()).isEqualTo(param);
    }
    if (code == null) {
      assertThat(error.get("code").isNull()).isTrue();
    } else {
      assertThat(error.get("code").asText()).isEqualTo(code);
    }
    return error;
  }

  @Test
  void invalidJson() {
    JsonNode e =
        assertError(server.post("/v1/chat/completions", "{\"model\": "), 400, null, "invalid_json");
    assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
    assertError(server.post("/v1/chat/completions", "[1, 2]"), 400, null, "invalid_json");
    assertError(server.post("/v1/chat/completions", ""), 400, null, "invalid_json");
  }

  @Test
  void missingOrEmptyMessages() {
    assertError(
        server.post("/v1/chat/completions", "{\"model\": \"qwen2\"}"), 400, "messages", null);
    assertError(
        server.post("/v1/chat/completions", "{\"model\": \"qwen2\", \"messages\": []}"),
        400,
        "messages",
        null);
    assertError(
        server.post("/v1/chat/completions", "{\"model\": \"qwen2\", \"messages\": \"hi\"}"),
        400,
        "messages",
        null);
  }

  @Test
  void badMessages() {
    String prefix = "{\"model\": \"qwen2\", \"messages\": [";
    assertError(
        server.post("/v1/chat/completions", prefix + "{\"content\": \"hi\"}]}"),
        400,
        "messages[0].role",
        null);
    assertError(
        server.post(
            "/v1/chat/completions",
            prefix + "{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\"}]}"),
        400,
        "messages[1].content",
        null);
    JsonNode e =
        assertError(
            server.post(
                "/v1/chat/completions", prefix + "{\"role\": \"wizard\", \"content\": \"hi\"}]}"),
            400,
            "messages[0].role",
            null);
    assertThat(e.get("message").asText()).contains("wizard");
    assertError(
        server.post("/v1/chat/completions", prefix + "\"hello\"]}"), 400, "messages[0]", null);
  }

  @Test
  void missingAndUnknownModel() {
    assertError(
        server.post(
            "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"),
        400,
        "model",
        null);
    JsonNode e =
        assertError(
            server.post("/v1/chat/completions", chat("").replace("qwen2", "gpt-4o")),
            404,
            "model",
            "model_not_found");
    assertThat(e.get("message").asText()).contains("gpt-4o");
    assertError(
        server.post("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"x\"}"),
        404,
        "model",
        "model_not_found");
  }

  @Test
  void maxTokensBeyondTheContext() {
    JsonNode e =
        assertError(
            server.post("/v1/chat/completions", chat(", \"max_tokens\": 250")),
            400,
            "messages",
            "context_length_exceeded");
    assertThat(e.get("message").asText()).contains("256");
    assertError(
        server.post("/v1/chat/completions", chat(", \"max_completion_tokens\": 1000")),
        400,
        "messages",
        "context_length_exceeded");
    String longPrompt = "word ".repeat(400);
    assertError(
        server.post(
            "/v1/completions", "{\"model\": \"qwen2\", \"prompt\": \"" + longPrompt + "\"}"),
        400,
        "prompt",
        "context_length_exceeded");
  }

  @Test
  void badParameters() {
    assertError(
        server.post("/v1/chat/completions", chat(", \"max_tokens\": 0")), 400, "max_tokens", null);
    assertError(
        server.post("/v1/chat/completions", chat(", \"max_tokens\": \"ten\"")),
        400,
        "max_tokens",
        null);
    assertError(
        server.post("/v1/chat/completions", chat(", \"temperature\": 3")),
        400,
        "temperature",
        null);
    assertError(
        server.post("/v1/chat/completions", chat(", \"temperature\": \"hot\"")),
        400,
        "temperature",
        null);
    assertError(server.post("/v1/chat/completions", chat(", \"top_p\": 1.5")), 400, "top_p", null);
    assertError(server.post("/v1/chat/completions", chat(", \"n\": 2")), 400, "n", null);
    assertError(
        server.post(
            "/v1/chat/completions", chat(", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]")),
        400,
        "stop",
        null);
    assertError(server.post("/v1/chat/completions", chat(", \"stop\": 5")), 400, "stop", null);
    assertError(
        server.post("/v1/chat/completions", chat(", \"stream\": \"yes\"")), 400, "stream", null);
    assertError(server.post("/v1/chat/completions", chat(", \"seed\": 1.5")), 400, "seed", null);
    assertError(server.post("/v1/completions", "{\"model\": \"qwen2\"}"), 400, "prompt", null);
  }

  @Test
  void oversizedBody() {
    String big = chat("").replace("Hello there", "x".repeat(100 * 1024));
    assertError(server.post("/v1/chat/completions", big), 413, null, "request_too_large");
  }

  @Test
  void unknownPathAndWrongMethod() {
    assertError(server.get("/v1/engines"), 404, null, "unknown_url");
    assertError(server.post("/v2/chat/completions", chat("")), 404, null, "unknown_url");
    HttpResponse<String> r = server.get("/v1/chat/completions");
    assertError(r, 405, null, "method_not_allowed");
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertError(server.post("/v1/models", "{}"), 405, null, "method_not_allowed");
  }
}
