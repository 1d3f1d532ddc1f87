package io.kubetune.trainer.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one position's logits, applying transformers' processors in its order:
 * repetition penalty, temperature, top-k, top-p, then a draw (or argmax when greedy). One sampler
 * per sequence: it owns that sequence's random stream, so a seed reproduces the output.
 */
public final class Sampler {
  private final SamplingParams params;
  private final SplittableRandom random;

  public Sampler(SamplingParams params) {
    this.params = params;
    this.random =
        params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
  }

  /**
   * @param logits one position's logits; modified in place
   * @param seen tokens so far (prompt and generated), for the repetition penalty
   */
  public int next(float[] logits, int[] seen, int seenCount) {
    if (params.repetitionPenalty() != 1.0) {
      applyRepetitionPenalty(logits, seen, seenCount, (float) params.repetitionPenalty());
    }
    if (params.isGreedy()) {
      return argmax(logits);
    }
    int[] order = sortedDescending(logits);
    int keep = params.topK() > 0 ? Math.min(params.topK(), order.length) : order.length;
    double max = logits[order[0]] / params.temperature();
    double[] probs = new double[keep];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      probs[i] = Math.exp(logits[order[i]] / params.temperature() - max);
      sum += probs[i];
    }
    // top-p: the smallest prefix of the sorted tokens whose mass reaches topP (at least one)
    if (params.topP() < 1.0) {
      double cumulative = 0;
      for (int i = 0; i < keep; i++) {
        cumulative += probs[i] / sum;
        if (cumulative >= params.topP()) {
          keep = i + 1;
          break;
        }
      }
      sum = 0;
      for (int i = 0; i < keep; i++) {
        sum += probs[i];
      }
    }
    double draw = random.nextDouble() * sum;
    for (int i = 0; i < keep; i++) {
      draw -= probs[i];
      if (draw <= 0) {
        return order[i];
      }
    }
    return order[keep - 1];
  }

  /** Token ids by descending logit (ties: lower id first), with a primitive sort. */
  static int[] sortedDescending(float[] logits) {
    long[] keys = new long[logits.length];
    for (int i = 0; i < logits.length; i++) {
      float v = Float.isNaN(logits[i]) ? Float.NEGATIVE_INFINITY : logits[i];
      int bits = Float.floatToIntBits(v);
      // order-preserving int for floats, negated so that ascending sort gives descending logits
      int ordered = bits >= 0 ? bits : bits ^ Integer.MAX_VALUE;
      keys[i] = ((long) -(long) ordered << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[logits.length];
    for (int i = 0; i < keys.length; i++) {
      order[i] = (int) (keys[i] & 0xffffffffL);
    }
    return order;
  }

  /** transformers' RepetitionPenaltyLogitsProcessor: divide positive logits, multiply negative. */
  static void applyRepetitionPenalty(float[] logits, int[] seen, int count, float penalty) {
    boolean[] done = new boolean[logits.length];
    for (int i = 0; i < count; i++) {
      int t = seen[i];
      if (t >= 0 && t < logits.length && !done[t]) {
        logits[t] = logits[t] < 0 ? logits[t] * penalty : logits[t] / penalty;
        done[t] = true;
      }
    }
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
