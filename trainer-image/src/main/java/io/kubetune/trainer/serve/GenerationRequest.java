package io.kubetune.trainer.serve;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.generate.SamplingParams;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * One request for the batch engine: a tokenized prompt, how to sample, and where the reply goes.
 * {@link #cancel()} (e.g. when the client disconnects) frees its slot at the next decode step. A
 * prompt with images comes with its embedder: what turns its ids into input embeddings with the
 * images' features among them (run by the engine's thread when it prefills the prompt).
 */
public final class GenerationRequest {
  private final int[] promptIds;
  private final SamplingParams params;
  private final GenerationCallback callback;
  private final UnaryOperator<NDArray> promptEmbedder;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final long submittedNanos = System.nanoTime();

  public GenerationRequest(int[] promptIds, SamplingParams params, GenerationCallback callback) {
    this(promptIds, null, params, callback);
  }

  /**
   * @param promptEmbedder ids [1, T] to input embeddings [1, T, hidden]; null embeds the tokens
   */
  public GenerationRequest(
      int[] promptIds,
      UnaryOperator<NDArray> promptEmbedder,
      SamplingParams params,
      GenerationCallback callback) {
    if (promptIds.length == 0) {
      throw new IllegalArgumentException("the prompt has no tokens");
    }
    this.promptIds = promptIds.clone();
    this.params = params;
    this.callback = callback;
    this.promptEmbedder = promptEmbedder;
  }

  /** Null when the prompt is tokens only. */
  UnaryOperator<NDArray> promptEmbedderOrNull() {
    return promptEmbedder;
  }

  public int[] promptIds() {
    return promptIds.clone();
  }

  int promptLength() {
    return promptIds.length;
  }

  int[] promptIdsUnsafe() {
    return promptIds;
  }

  public SamplingParams params() {
    return params;
  }

  GenerationCallback callback() {
    return callback;
  }

  long submittedNanos() {
    return submittedNanos;
  }

  public void cancel() {
    cancelled.set(true);
  }

  public boolean isCancelled() {
    return cancelled.get();
  }
}
