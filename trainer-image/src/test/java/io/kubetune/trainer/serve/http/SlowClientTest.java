package io.kubetune.trainer.serve.http;

import static io.kubetune.trainer.serve.http.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.serve.BatchEngine;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and stalled clients (slowloris and friends) against short limits: a connection is closed
 * when it sits idle, when its request head or body stalls, and when they trickle in slower than the
 * read timeout allows; a body declared too large is refused before it is sent. A generation in
 * progress is not idle, however long it is silent.
 */
class SlowClientTest {
  private static final Duration IDLE = Duration.ofMillis(800);
  private static final Duration READ = Duration.ofMillis(1500);

  /** Scheduling slack on a busy 2-core machine. */
  private static final Duration SLACK = Duration.ofMillis(1500);

  private static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.slow(
            new BatchEngine.Config(1, 8, 256),
            TestServer.options(null).withMaxBodyBytes(64 * 1024).withTimeouts(IDLE, READ),
            Duration.ofMillis(5));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static RawConnection connect() throws Exception {
    return new RawConnection(server.server.port());
  }

  /** The head of a chat completion request whose body will be this long. */
  private static String chatHead(long contentLength) {
    return RawConnection.head(
        "POST /v1/chat/completions HTTP/1.1",
        "Host: test",
        "Content-Type: application/json",
        "Content-Length: " + contentLength);
  }

  private static RawConnection.Reply closedWithin(RawConnection c, Duration limit)
      throws Exception {
    RawConnection.Reply reply = c.readUntilClosed(limit.plus(SLACK).plus(SLACK));
    assertThat(reply.closed()).as("closed by the server; got: %s", reply.text()).isTrue();
    assertThat(reply.after()).as("closed in time").isLessThanOrEqualTo(limit.plus(SLACK));
    return reply;
  }

  @Test
  void anIdleConnectionIsClosed() throws Exception {
    try (RawConnection c = connect()) {
      RawConnection.Reply r = closedWithin(c, IDLE);
      assertThat(r.text()).isEmpty();
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterItsLastReply() throws Exception {
    try (RawConnection c = connect()) {
      c.send(RawConnection.head("GET /health HTTP/1.1", "Host: test"));
      RawConnection.Reply r = closedWithin(c, IDLE);
      assertThat(r.status()).isEqualTo(200);
    }
  }

  @Test
  void aStalledRequestHeadIsClosed() throws Exception {
    try (RawConnection c = connect()) {
      c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\n");
      closedWithin(c, IDLE);
    }
  }

  @Test
  void aTrickledRequestHeadIsClosedAtTheReadTimeout() throws Exception {
    try (RawConnection c = connect()) {
      c.send("POST /v1/chat/completions HTTP/1.1\r\n");
      // one header line every 300 ms: never idle, never complete (a classic slowloris)
      RawConnection.Reply r = trickle(c, i -> "X-Slow-" + i + ": 1\r\n");
      assertThat(r.text()).isEmpty();
    }
  }

  /**
   * Sends a piece every 300 ms (well within the idle timeout) until the server answers or closes
   * the connection, which must happen by the read timeout.
   */
  private static RawConnection.Reply trickle(RawConnection c, IntFunction<String> piece)
      throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < 40; i++) {
      Thread.sleep(300);
      RawConnection.Reply r;
      try {
        c.send(piece.apply(i));
        r = c.readUntilClosed(Duration.ofMillis(1));
      } catch (java.io.IOException e) {
        r = new RawConnection.Reply("", true, Duration.ZERO);
      }
      if (r.closed() || r.status() > 0) {
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isLessThanOrEqualTo(READ.plus(SLACK).plus(Duration.ofMillis(600)));
        return r;
      }
    }
    throw new AssertionError("the server let a trickling request go on for 12 s");
  }

  @Test
  void aStalledBodyGets408AndIsClosed() throws Exception {
    try (RawConnection c = connect()) {
      c.send(chatHead(100));
      c.send("{\"model\": ");
      RawConnection.Reply r = closedWithin(c, IDLE);
      assertThat(r.status()).as(r.text()).isEqualTo(408);
      assertThat(json(r.body()).get("error").get("code").asText()).isEqualTo("request_timeout");
    }
  }

  @Test
  void aTrickledBodyIsCutAtTheReadTimeout() throws Exception {
    try (RawConnection c = connect()) {
      c.send(chatHead(1000));
      RawConnection.Reply r = trickle(c, i -> " ");
      if (r.status() > 0) {
        assertThat(r.status()).as(r.text()).isEqualTo(408);
      }
    }
  }

  @Test
  void aBodyDeclaredTooLargeGets413BeforeItIsSent() throws Exception {
    try (RawConnection c = connect()) {
      c.send(chatHead(1000000000));
      RawConnection.Reply r = c.readUntilClosed(IDLE.dividedBy(2));
      assertThat(r.status())
          .as("answered before any idle or read limit: " + r.text())
          .isEqualTo(413);
      assertThat(json(r.body()).get("error").get("code").asText()).isEqualTo("request_too_large");
    }
  }

  @Test
  void generationsSilentForLongerThanTheIdleTimeoutAreNotCut() throws Exception {
    // one slot: the last of these waits for the others, silent all along (non-streamed) or
    // with nothing but SSE keep-alive comments every 5 s (streamed)
    List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 4; i++) {
      boolean stream = i == 3;
      String body =
          "{\"model\": \"qwen2\", \"max_tokens\": 100, \"stream\": "
              + stream
              + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story\"}]}";
      replies.add(
          server.client.sendAsync(
              server
                  .request("/v1/chat/completions")
                  .header("Content-Type", "application/json")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : replies) {
      HttpResponse<String> r = f.get();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    assertThat(json(replies.get(0).get().body()).get("usage").get("completion_tokens").asInt())
        .isEqualTo(100);
    assertThat(TestServer.sseData(replies.get(3).get().body())).last().isEqualTo("[DONE]");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("the requests waited longer than the idle timeout, so the test means something")
        .isGreaterThan(IDLE.multipliedBy(2));
  }
}
