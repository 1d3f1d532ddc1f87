package io.kubetune.trainer.serve.http;

import java.time.Duration;

/**
 * How the HTTP server behaves.
 *
 * @param host the address to bind (null: every interface)
 * @param port 0 picks a free port
 * @param maxBodyBytes larger request bodies get 413
 * @param apiKey when set, /v1/* needs {@code Authorization: Bearer <key>}; null leaves it open
 * @param keepAlive a streamed reply with nothing to say for this long sends an SSE comment (which
 *     also finds out that a waiting client left)
 * @param retryAfterSeconds the Retry-After of a 429 (queue full)
 * @param idleTimeout how long a connection may stay silent (a long non-streamed reply is silent)
 */
public record ServerOptions(
    String host,
    int port,
    long maxBodyBytes,
    String apiKey,
    Duration keepAlive,
    int retryAfterSeconds,
    Duration idleTimeout) {

  public static final long DEFAULT_MAX_BODY_BYTES = 1 << 20;

  public ServerOptions {
    if (apiKey != null && apiKey.isEmpty()) {
      apiKey = null;
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
        Duration.ofMinutes(10));
  }

  public ServerOptions withHost(String bindHost) {
    return new ServerOptions(
        bindHost, port, maxBodyBytes, apiKey, keepAlive, retryAfterSeconds, idleTimeout);
  }

  public ServerOptions withMaxBodyBytes(long bytes) {
    return new ServerOptions(host, port, bytes, apiKey, keepAlive, retryAfterSeconds, idleTimeout);
  }

  public ServerOptions withKeepAlive(Duration every) {
    return new ServerOptions(
        host, port, maxBodyBytes, apiKey, every, retryAfterSeconds, idleTimeout);
  }
}
