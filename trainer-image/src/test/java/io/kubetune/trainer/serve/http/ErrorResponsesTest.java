package io.kubetune.trainer.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A failure of ours answers 500 in OpenAI's shape, and never shows our internals to the client. */
class ErrorResponsesTest {
  @Test
  void ourOwnBugsAnswer500WithoutClassNamesOrMessages() throws Exception {
    Javalin app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.routes.get(
                  "/bug",
                  ctx -> {
                    throw new IllegalStateException("secret internal detail /opt/model");
                  });
              config.routes.get(
                  "/failed-generation",
                  ctx -> {
                    throw new java.io.UncheckedIOException(
                        new java.io.IOException("tensor shape [1, 0] at /opt/model"));
                  });
              ErrorResponses.register(config.routes, 1024);
            });
    app.start("127.0.0.1", 0);
    try {
      HttpClient client = HttpClient.newHttpClient();
      for (String path : new String[] {"/bug", "/failed-generation"}) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        var error = OpenAiApiTest.assertError(r, 500, null, null);
        assertThat(error.get("type").asText()).isEqualTo("server_error");
        assertThat(r.body())
            .as(path)
            .doesNotContain("Exception")
            .doesNotContain("java.")
            .doesNotContain("/opt/model")
            .doesNotContain("secret");
      }
    } finally {
      app.stop();
    }
  }
}
