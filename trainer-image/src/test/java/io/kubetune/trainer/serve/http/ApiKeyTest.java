package io.kubetune.trainer.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.serve.BatchEngine;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With a key configured, /v1 needs it; the probes, metrics and the page do not. */
class ApiKeyTest {
  private static final String KEY = "sk-test-0123456789";
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(new BatchEngine.Config(2, 4, 256), TestServer.options(KEY));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static final String CHAT =
      "{\"model\": \"qwen2\", \"max_tokens\": 3, \"messages\": [{\"role\": \"user\", \"content\":"
          + " \"hi\"}]}";

  @Test
  void missingOrWrongKeyIs401() {
    HttpResponse<String> none = server.post("/v1/chat/completions", CHAT);
    OpenAiApiTest.assertError(none, 401, null, "invalid_api_key");
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    OpenAiApiTest.assertError(
        server.post("/v1/chat/completions", CHAT, "Authorization", "Bearer sk-wrong"),
        401,
        null,
        "invalid_api_key");
    OpenAiApiTest.assertError(
        server.post("/v1/chat/completions", CHAT, "Authorization", "Basic " + KEY),
        401,
        null,
        "invalid_api_key");
    OpenAiApiTest.assertError(server.get("/v1/models"), 401, null, "invalid_api_key");
    // unknown /v1 paths are not revealed without a key either
    OpenAiApiTest.assertError(server.get("/v1/secret"), 401, null, "invalid_api_key");
  }

  @Test
  void theRightKeyIsServed() {
    HttpResponse<String> r =
        server.post("/v1/chat/completions", CHAT, "Authorization", "Bearer " + KEY);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(server.get("/v1/models", "Authorization", "bearer " + KEY).statusCode())
        .isEqualTo(200);
  }

  @Test
  void probesMetricsAndThePageStayOpen() {
    assertThat(server.get("/health").statusCode()).isEqualTo(200);
    assertThat(server.get("/metrics").statusCode()).isEqualTo(200);
    assertThat(server.get("/").statusCode()).isEqualTo(200);
  }
}
