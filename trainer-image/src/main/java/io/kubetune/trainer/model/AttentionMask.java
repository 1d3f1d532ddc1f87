package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Tensors;

/**
 * Which keys each query may see: plain causal attention, or causal attention kept inside each
 * packed sample (segment ids per position, -1 for padding). A segmented mask attends sample by
 * sample (varlen, as XTuner's use_varlen_attn does) and builds the equivalent bool mask [B, 1, T,
 * T] only when asked for it.
 */
public final class AttentionMask {
  private static final AttentionMask CAUSAL = new AttentionMask(null, null);

  private final NDManager manager;
  private final int[][] segments;
  private NDArray mask;

  private AttentionMask(NDManager manager, int[][] segments) {
    this.manager = manager;
    this.segments = segments;
  }

  public static AttentionMask causal() {
    return CAUSAL;
  }

  public boolean isCausal() {
    return segments == null;
  }

  /** Segment ids [B][T] (sample index per position, -1 for padding), or null when causal. */
  public int[][] segments() {
    return segments;
  }

  /**
   * Causal attention that stays inside each packed sample: query t sees key s when both belong to
   * the same sample and s <= t. Padding (segment < 0) sees only itself, so that no row of the bool
   * mask is empty (an all-masked softmax row would be NaN).
   */
  public static AttentionMask fromSegments(NDManager manager, int[][] segments) {
    return new AttentionMask(manager, segments);
  }

  /** The bool mask [B, 1, T, T] (true = may attend), or null when causal; built once. */
  public NDArray mask() {
    if (segments != null && mask == null) {
      mask = build();
    }
    return mask;
  }

  private NDArray build() {
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
    return Tensors.bool(manager, allowed, new Shape(rows, 1, len, len));
  }
}
