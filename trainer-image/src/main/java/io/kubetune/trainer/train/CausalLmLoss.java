package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.torch.Aten;

/**
 * transformers' causal-LM loss: the logits at position t predict the label at t + 1, targets of
 * -100 are ignored. Returns the SUM over targets, so that micro-batches of one optimizer step can
 * be divided by the step's total target count: a token-weighted mean, equal to one big batch.
 */
public final class CausalLmLoss {
  public static final long IGNORE = -100;

  private CausalLmLoss() {}

  /**
   * @param hidden final-normed hidden states [B, T, D]
   * @param labels int64 [B, T]
   */
  public static NDArray sum(CausalLm model, NDArray hidden, NDArray labels) {
    long rows = hidden.getShape().get(0);
    long len = hidden.getShape().get(1);
    NDArray predicting = Aten.narrow(hidden, 1, 0, len - 1);
    NDArray logits = model.logits(predicting).reshape(rows * (len - 1), -1);
    NDArray targets = Aten.narrow(labels, 1, 1, len - 1).reshape(-1);
    return Aten.crossEntropy(logits, targets, IGNORE, Aten.Reduction.SUM);
  }

  /** Targets that count: labels[:, 1:] != -100. */
  public static long targetCount(long[][] labels) {
    long n = 0;
    for (long[] row : labels) {
      for (int t = 1; t < row.length; t++) {
        if (row[t] != IGNORE) {
          n++;
        }
      }
    }
    return n;
  }
}
