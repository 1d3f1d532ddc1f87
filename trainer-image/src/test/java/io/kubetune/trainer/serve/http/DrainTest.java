package io.kubetune.trainer.serve.http;

import static io.kubetune.trainer.serve.http.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.serve.BatchEngine;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Draining (what SIGTERM starts): readiness fails and new requests get 503 at once, while the
 * generations in flight, streamed or not, running or queued, finish; past the drain timeout what is
 * left ends with a clear error instead of silence.
 */
class DrainTest {
  private static final String ROUTE = "/v1/chat/completions";

  private static String chat(int maxTokens, boolean stream) {
    return "{\"model\": \"qwen2\", \"max_tokens\": "
        + maxTokens
        + ", \"stream\": "
        + stream
        + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story\"}]}";
  }

  private static CompletableFuture<HttpResponse<String>> send(TestServer server, String body) {
    return server.client.sendAsync(
        server
            .request(ROUTE)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void inFlightGenerationsFinishWhileNewRequestsAreRefused() throws Exception {
    try (TestServer server =
        TestServer.slow(
            new BatchEngine.Config(2, 4, 256), TestServer.options(null), Duration.ofMillis(10))) {
      var streamed = send(server, chat(100, true));
      var whole = send(server, chat(100, false));
      server.awaitMetric("kubetune_serve_batch_size", 2, Duration.ofSeconds(20));
      var queued = send(server, chat(100, false));
      server.awaitMetric("kubetune_serve_queue_depth", 1, Duration.ofSeconds(20));

      // a keep-alive connection waiting for its next request
      RawConnection idle = new RawConnection(server.server.port());
      idle.send(RawConnection.head("GET /health HTTP/1.1", "Host: test"));
      assertThat(idle.readUntilClosed(Duration.ofMillis(300)).status()).isEqualTo(200);

      long start = System.nanoTime();
      CompletableFuture<Boolean> drained =
          CompletableFuture.supplyAsync(() -> server.server.drain(Duration.ofSeconds(30)));
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (server.get("/health").statusCode() == 200 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      HttpResponse<String> health = server.get("/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(json(health.body()).get("status").asText()).isEqualTo("draining");
      HttpResponse<String> refused = server.post(ROUTE, chat(4, false));
      JsonNode error = OpenAiApiTest.assertError(refused, 503, null, "server_shutting_down");
      assertThat(error.get("type").asText()).isEqualTo("server_error");
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(refused.headers().firstValue("Connection")).hasValue("close");
      assertThat(drained).as("still draining while generations run").isNotDone();
      try (idle) {
        // closed at once, not after the idle timeout (30 s): its client reconnects elsewhere
        assertThat(idle.readUntilClosed(Duration.ofSeconds(2)).closed()).isTrue();
      }

      for (var f : List.of(whole, queued)) {
        HttpResponse<String> r = f.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r.body()).get("usage").get("completion_tokens").asInt()).isEqualTo(100);
        // finished during the drain: the client is told not to reuse the connection
        assertThat(r.headers().firstValue("Connection")).hasValue("close");
      }
      HttpResponse<String> s = streamed.get();
      assertThat(s.statusCode()).isEqualTo(200);
      List<String> data = TestServer.sseData(s.body());
      assertThat(data).last().isEqualTo("[DONE]");
      assertThat(
              json(data.get(data.size() - 2)).get("choices").get(0).get("finish_reason").asText())
          .isEqualTo("length");
      assertThat(drained.get()).as("drained before the timeout").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }
  }

  @Test
  void aStreamStartedBeforeTheDrainClosesItsConnectionWhenItEnds() throws Exception {
    try (TestServer server =
        TestServer.slow(
            new BatchEngine.Config(2, 4, 256), TestServer.options(null), Duration.ofMillis(10))) {
      // keeps the drain going (and the server up) long after the stream has ended
      var long_ = send(server, chat(200, false));
      String body = chat(20, true);
      try (RawConnection stream = new RawConnection(server.server.port())) {
        stream.send(
            RawConnection.head(
                    "POST " + ROUTE + " HTTP/1.1",
                    "Host: test",
                    "Content-Type: application/json",
                    "Content-Length: " + body.length())
                + body);
        server.awaitMetric("kubetune_serve_batch_size", 2, Duration.ofSeconds(20));
        CompletableFuture<Boolean> drained =
            CompletableFuture.supplyAsync(() -> server.server.drain(Duration.ofSeconds(30)));

        RawConnection.Reply reply = stream.readUntilClosed(Duration.ofSeconds(2));
        assertThat(reply.text()).as("its head went out before the drain").doesNotContain("close");
        assertThat(reply.text()).contains("data: [DONE]");
        // closed by the server once the stream ended, not when the server exits: its client's
        // next request goes to a new connection (another replica) instead of meeting a 503
        assertThat(reply.closed()).as(reply.text()).isTrue();
        assertThat(drained).as("still draining: the long request runs").isNotDone();
        assertThat(drained.get()).isTrue();
      }
      assertThat(long_.get().statusCode()).isEqualTo(200);
    }
  }

  @Test
  void pastTheDrainTimeoutWhatIsLeftEndsWithAnError() throws Exception {
    try (TestServer server =
        TestServer.slow(
            new BatchEngine.Config(2, 4, 256), TestServer.options(null), Duration.ofMillis(20))) {
      var streamed = send(server, chat(200, true));
      var whole = send(server, chat(200, false));
      server.awaitMetric("kubetune_serve_batch_size", 2, Duration.ofSeconds(20));

      assertThat(server.server.drain(Duration.ofMillis(500))).isFalse();

      HttpResponse<String> w = whole.get();
      OpenAiApiTest.assertError(w, 503, null, "server_shutting_down");
      HttpResponse<String> s = streamed.get();
      assertThat(s.statusCode()).isEqualTo(200);
      List<String> data = TestServer.sseData(s.body());
      assertThat(data).last().isEqualTo("[DONE]");
      JsonNode last = json(data.get(data.size() - 2));
      assertThat(last.get("error").get("code").asText()).isEqualTo("server_shutting_down");
    }
  }
}
