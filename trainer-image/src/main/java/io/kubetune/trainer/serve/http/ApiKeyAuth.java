package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.kubetune.trainer.serve.openai.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks {@code Authorization: Bearer <key>} against the configured key, in constant time. Runs
 * before the /v1 routes only: /health (probes), /metrics (scrapers) and the static chat page stay
 * open; the page sends the key the user types.
 */
final class ApiKeyAuth implements Handler {
  private static final String BEARER = "Bearer ";

  private final byte[] key;

  ApiKeyAuth(String key) {
    this.key = key.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw ApiError.invalidApiKey(
          "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw ApiError.invalidApiKey("The Authorization header must be 'Bearer <key>'.");
    }
    byte[] given = header.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
    // MessageDigest.isEqual takes the same time whatever the first differing byte
    if (!MessageDigest.isEqual(given, key)) {
      throw ApiError.invalidApiKey("Incorrect API key provided.");
    }
  }
}
