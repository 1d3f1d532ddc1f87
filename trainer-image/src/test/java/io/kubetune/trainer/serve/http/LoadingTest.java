package io.kubetune.trainer.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The server listens while the model loads: /health and the API say 503 until it is ready. */
class LoadingTest {
  @Test
  void healthIs503UntilTheModelIsReady() {
    try (TestServer server = TestServer.loading(TestServer.options(null))) {
      assertThat(server.get("/health").statusCode()).isEqualTo(503);
      assertThat(TestServer.json(server.get("/health").body()).get("status").asText())
          .isEqualTo("loading");
      var r = server.get("/v1/models");
      OpenAiApiTest.assertError(r, 503, null, "model_loading");
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      assertThat(server.metric("kubetune_serve_model_ready")).isZero();

      server.ready();
      assertThat(server.get("/health").statusCode()).isEqualTo(200);
      assertThat(server.get("/v1/models").statusCode()).isEqualTo(200);
      assertThat(server.metric("kubetune_serve_model_ready")).isEqualTo(1);
    }
  }
}
