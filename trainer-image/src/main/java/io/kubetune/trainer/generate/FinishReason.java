package io.kubetune.trainer.generate;

/** Why generation ended, in OpenAI's words. */
public enum FinishReason {
  /** An end-of-sequence token or a stop string. */
  STOP,
  /** max new tokens, or the context is full. */
  LENGTH;

  public String openAiName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
