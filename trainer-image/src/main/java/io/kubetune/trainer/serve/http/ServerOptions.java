package io.kubetune.trainer.serve.http;

import java.time.Duration;

/**
 * How the HTTP server behaves.
 *
 * @param host the address to bind (null: every interface)
 * @param port 0 picks a free port
 * @param maxBodyBytes larger request bodies get 413 (at once when Content-Length says so)
 * @param apiKey when set, /v1/* needs {@code Authorization: Bearer <key>}; null leaves it open
 * @param keepAlive a streamed reply with nothing to say for this long sends an SSE comment (which
 *     also finds out that a waiting client left)
 * @param retryAfterSeconds the Retry-After of a 429 (queue full) and of a 503 while draining
 * @param idleTimeout a connection with no bytes moving for this long is closed: between requests
 *     (keep-alive), while a request is read, while a reply is written; never while its generation
 *     runs (a non-streamed reply is silent until it is complete)
 * @param readTimeout a request's head must arrive within this long of its first byte, and its body
 *     within this long of its head (slow senders cannot hold a connection by trickling bytes)
 */
public record ServerOptions(
    String host,
    int port,
    long maxBodyBytes,
    String apiKey,
    Duration keepAlive,
    int retryAfterSeconds,
    Duration idleTimeout,
    Duration readTimeout) {

  public static final long DEFAULT_MAX_BODY_BYTES = 1 << 20;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(15);

  public ServerOptions {
    if (apiKey != null && apiKey.isEmpty()) {
      apiKey = null;
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("the idle timeout must be positive, got " + idleTimeout);
    }
    if (readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException("the read timeout must be positive, got " + readTimeout);
    }
  }

  public static ServerOptions defaults(int port, String apiKey) {
    return new ServerOptions(
        null,
        port,
        DEFAULT_MAX_BODY_BYTES,
        apiKey,
        Duration.ofSeconds(5),
        1,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_READ_TIMEOUT);
  }

  public ServerOptions withHost(String bindHost) {
    return new ServerOptions(
        bindHost,
        port,
        maxBodyBytes,
        apiKey,
        keepAlive,
        retryAfterSeconds,
        idleTimeout,
        readTimeout);
  }

  public ServerOptions withMaxBodyBytes(long bytes) {
    return new ServerOptions(
        host, port, bytes, apiKey, keepAlive, retryAfterSeconds, idleTimeout, readTimeout);
  }

  public ServerOptions withKeepAlive(Duration every) {
    return new ServerOptions(
        host, port, maxBodyBytes, apiKey, every, retryAfterSeconds, idleTimeout, readTimeout);
  }

  /**
   * @param idle see {@link #idleTimeout}
   * @param read see {@link #readTimeout}
   */
  public ServerOptions withTimeouts(Duration idle, Duration read) {
    return new ServerOptions(
        host, port, maxBodyBytes, apiKey, keepAlive, retryAfterSeconds, idle, read);
  }
}
