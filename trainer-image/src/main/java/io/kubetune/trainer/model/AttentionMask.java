package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Tensors;

/**
 * Which keys each query may see: plain causal, or an explicit bool mask [B, 1, T, S].
 *
 * @param mask null for plain causal attention
 */
public record AttentionMask(NDArray mask) {

  public static AttentionMask causal() {
    return new AttentionMask(null);
  }

  public boolean isCausal() {
    return mask == null;
  }

  /**
   * Causal attention that stays inside each packed sample: query t sees key s when both belong to
   * the same sample and s <= t. Padding (segment < 0) sees only itself, so that no row is empty (an
   * all-masked softmax row would be NaN).
   */
  public static AttentionMask fromSegments(NDManager manager, int[][] segments) {
    int rows = segments.length;
    int len = segments[0].length;
    boolean[] allowed = new boolean[rows * len * len];
    for (int b = 0; b < rows; b++) {
      for (int t = 0; t < len; t++) {
        int base = (b * len + t) * len;
        for (int s = 0; s <= t; s++) {
          allowed[base + s] = segments[b][t] >= 0 ? segments[b][s] == segments[b][t] : s == t;
        }
      }
    }
    return new AttentionMask(Tensors.bool(manager, allowed, new Shape(rows, 1, len, len)));
  }

  /**
   * Causal attention with left or right padding: row b's tokens are those with valid[b][t]; a
   * padding query sees only itself.
   */
  public static AttentionMask fromValid(NDManager manager, boolean[][] valid) {
    int rows = valid.length;
    int len = valid[0].length;
    int[][] segments = new int[rows][len];
    for (int b = 0; b < rows; b++) {
      for (int t = 0; t < len; t++) {
        segments[b][t] = valid[b][t] ? 0 : -1;
      }
    }
    return fromSegments(manager, segments);
  }
}
