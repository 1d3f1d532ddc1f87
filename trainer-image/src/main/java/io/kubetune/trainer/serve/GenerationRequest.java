package io.kubetune.trainer.serve;

import io.kubetune.trainer.generate.SamplingParams;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request for the batch engine: a tokenized prompt, how to sample, and where the reply goes.
 * {@link #cancel()} (e.g. when the client disconnects) frees its slot at the next decode step.
 */
public final class GenerationRequest {
  private final int[] promptIds;
  private final SamplingParams params;
  private final GenerationCallback callback;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final long submittedNanos = System.nanoTime();

  public GenerationRequest(int[] promptIds, SamplingParams params, GenerationCallback callback) {
    if (promptIds.length == 0) {
      throw new IllegalArgumentException("the prompt has no tokens");
    }
    this.promptIds = promptIds.clone();
    this.params = params;
    this.callback = callback;
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
