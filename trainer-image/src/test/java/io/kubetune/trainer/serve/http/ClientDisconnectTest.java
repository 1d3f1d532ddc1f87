package io.kubetune.trainer.serve.http;

import static io.kubetune.trainer.serve.http.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.serve.BatchEngine;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that leaves a non-streamed request is noticed while its reply is generated (there is
 * nothing to write yet, so no failed write can tell): the generation is cancelled and its slot
 * freed at once, and the request is counted as 499, not as a 200 nobody received.
 */
class ClientDisconnectTest {
  private static final String ROUTE = "/v1/chat/completions";
  private static TestServer server;

  @BeforeAll
  static void start() {
    // one slot; 200 tokens take at least 4 s
    server =
        TestServer.slow(
            new BatchEngine.Config(1, 4, 256), TestServer.options(null), Duration.ofMillis(20));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aClientThatLeavesANonStreamedRequestFreesItsSlot() throws Exception {
    double cancelledBefore = server.metric("kubetune_serve_cancelled_requests_total");
    double tokensBefore = server.metric("kubetune_serve_completion_tokens_total");
    String body =
        "{\"model\": \"qwen2\", \"max_tokens\": 200,"
            + " \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a long story\"}]}";
    try (RawConnection c = new RawConnection(server.server.port())) {
      c.send(
          RawConnection.head(
                  "POST " + ROUTE + " HTTP/1.1",
                  "Host: test",
                  "Content-Type: application/json",
                  "Content-Length: " + body.length())
              + body);
      server.awaitMetric("kubetune_serve_batch_size", 1, Duration.ofSeconds(10));
    }
    long left = System.nanoTime();
    server.awaitMetric(
        "kubetune_serve_cancelled_requests_total", cancelledBefore + 1, Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - left))
        .as("noticed well before the 4 s the reply would have taken")
        .isLessThan(Duration.ofMillis(1500));
    server.awaitMetric("kubetune_serve_batch_size", 0, Duration.ofSeconds(2));

    // the slot is free: a short request is served at once
    HttpResponse<String> next =
        server.post(
            ROUTE,
            "{\"model\": \"qwen2\", \"max_tokens\": 4, \"messages\": [{\"role\": \"user\","
                + " \"content\": \"hi\"}]}");
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    assertThat(json(next.body()).get("usage").get("completion_tokens").asInt()).isEqualTo(4);
    assertThat(server.metric("kubetune_serve_completion_tokens_total")).isEqualTo(tokensBefore + 4);
    assertThat(
            server.metric("kubetune_serve_requests_total{route=\"" + ROUTE + "\",status=\"499\"}"))
        .as("counted as what the client got: nothing")
        .isEqualTo(1);
  }
}
