package io.kubetune.trainer.generate;

/** A finished reply: its tokens (without the stop token), text and why it ended. */
public record Generation(int[] tokenIds, String text, FinishReason finishReason, int promptTokens) {
  public int completionTokens() {
    return tokenIds.length;
  }
}
