package io.kubetune.trainer.serve.http;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Reply ids with OpenAI's prefixes (chatcmpl-, cmpl-) and 96 random bits. */
final class CompletionIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private CompletionIds() {}

  static String next(String prefix) {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return prefix + HexFormat.of().formatHex(bytes);
  }
}
