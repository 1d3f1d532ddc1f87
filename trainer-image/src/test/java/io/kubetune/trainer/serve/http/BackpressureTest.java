package io.kubetune.trainer.serve.http;

import static io.kubetune.trainer.serve.http.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.serve.BatchEngine;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One slot and a queue of one: a full server answers 429, a vanished client frees its slot. */
class BackpressureTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            new BatchEngine.Config(1, 1, 256),
            TestServer.options(null).withKeepAlive(Duration.ofMillis(200)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String longChat(boolean stream) {
    return "{\"model\": \"qwen2\", \"max_tokens\": 200, \"stream\": "
        + stream
        + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a long story\"}]}";
  }

  @Test
  void pastTheQueueRequestsGet429WithRetryAfter() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpRequest request =
          server
              .request("/v1/chat/completions")
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(longChat(false)))
              .build();
      replies.add(server.client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    int ok = 0;
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> f : replies) {
      HttpResponse<String> r = f.get();
      if (r.statusCode() == 200) {
        ok++;
        assertThat(json(r.body()).get("usage").get("completion_tokens").asInt()).isPositive();
      } else {
        refused++;
        JsonNode error = OpenAiApiTest.assertError(r, 429, null, "rate_limit_exceeded");
        assertThat(error.get("type").asText()).isEqualTo("rate_limit_error");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
      }
    }
    assertThat(ok).as("one generating and one queued at least").isGreaterThanOrEqualTo(2);
    assertThat(refused).isGreaterThanOrEqualTo(1);
    assertThat(
            server.metric(
                "kubetune_serve_requests_total{route=\"/v1/chat/completions\",status=\"429\"}"))
        .isEqualTo(refused);
  }

  @Test
  void aClientThatDisconnectsMidStreamFreesItsSlot() throws Exception {
    double cancelledBefore = server.metric("kubetune_serve_cancelled_requests_total");
    double tokensBefore = server.metric("kubetune_serve_completion_tokens_total");
    HttpResponse<InputStream> stream = server.openStream("/v1/chat/completions", longChat(true));
    assertThat(stream.statusCode()).isEqualTo(200);
    TestServer.SseReader events = new TestServer.SseReader(stream.body());
    assertThat(events.next()).contains("\"role\":\"assistant\"");
    assertThat(events.next()).contains("\"content\"");
    stream.body().close();

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (server.metric("kubetune_serve_cancelled_requests_total") == cancelledBefore
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.metric("kubetune_serve_cancelled_requests_total"))
        .isEqualTo(cancelledBefore + 1);
    // the only slot is free again: a new request is served at once
    HttpResponse<String> next =
        server.post(
            "/v1/chat/completions",
            "{\"model\": \"qwen2\", \"max_tokens\": 4, \"messages\": [{\"role\": \"user\","
                + " \"content\": \"hi\"}]}");
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    assertThat(json(next.body()).get("usage").get("completion_tokens").asInt()).isEqualTo(4);
    // the cancelled generation never finished: only the new request's tokens were counted
    assertThat(server.metric("kubetune_serve_completion_tokens_total")).isEqualTo(tokensBefore + 4);
    assertThat(server.metric("kubetune_serve_batch_size")).isZero();
  }
}
