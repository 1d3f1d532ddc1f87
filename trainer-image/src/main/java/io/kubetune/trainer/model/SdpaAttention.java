package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.torch.Aten;

/**
 * libtorch's scaled_dot_product_attention through its dispatcher, arranged so that it takes the
 * fused (flash) CPU kernel. libtorch 2.7's CPU flash kernel needs as many key heads as query heads;
 * given grouped-query heads it falls back to the unfused math path, which repeats the keys and
 * values per group, scales them and materialises the scores (most of a decode step's time, the
 * profile showed). So grouped heads are arranged for it:
 *
 * <ul>
 *   <li>without a causal alignment to keep (a mask, or no masking at all: decoding, cached passes),
 *       each key head's group of query heads becomes one block of query rows over that head's keys:
 *       no copy of the keys or values, which for decoding is the whole cache;
 *   <li>causal attention of a sequence over itself (prefill, training) repeats the keys and values
 *       per group, as transformers' repeat_kv does, a copy the size of this pass's own keys.
 * </ul>
 */
public final class SdpaAttention implements AttentionBackend {
  @Override
  public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, boolean causal) {
    long batch = q.getShape().get(0);
    long heads = q.getShape().get(1);
    long queries = q.getShape().get(2);
    long dim = q.getShape().get(3);
    long kvHeads = k.getShape().get(1);
    boolean causalOnly = mask == null && causal;
    if (heads == kvHeads) {
      return Aten.scaledDotProductAttention(q, k, v, mask, causalOnly, false);
    }
    int groups = (int) (heads / kvHeads);
    if (causalOnly && (queries > 1 || k.getShape().get(2) > 1)) {
      return Aten.scaledDotProductAttention(
          q, k.repeat(1, groups), v.repeat(1, groups), null, true, false);
    }
    // query head h belongs to key head h / groups: rows (g, t) of block h / groups
    NDArray folded = q.reshape(batch, kvHeads, groups * queries, dim);
    NDArray rowMask = mask == null || queries == 1 ? mask : tileRows(mask, groups);
    NDArray out = Aten.scaledDotProductAttention(folded, k, v, rowMask, false, false);
    return out.reshape(batch, heads, queries, dim);
  }

  /** [B, 1, T, S] to [B, 1, groups * T, S], row (g, t) = row t (DJL's tile is not implemented). */
  private static NDArray tileRows(NDArray mask, int groups) {
    long[] s = mask.getShape().getShape();
    return mask.expandDims(2).repeat(2, groups).reshape(s[0], s[1], groups * s[2], s[3]);
  }
}
