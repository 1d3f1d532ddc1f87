package io.kubetune.trainer.generate;

/** Receives a reply as it is generated. */
@FunctionalInterface
public interface TokenListener {
  /**
   * @param tokenId the token just generated
   * @param text text that became final with it (often empty while a character or a possible stop
   *     string is incomplete)
   */
  void onToken(int tokenId, String text);

  TokenListener NONE = (id, text) -> {};
}
