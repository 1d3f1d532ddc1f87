package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;

/** Softmax attention over [B, H, T, D] queries and [B, Hkv, S, D] keys and values. */
public interface AttentionBackend {
  /**
   * @param mask null or bool [B, 1, T, S], true = may attend
   * @param causal without a mask: query t sees keys 0..t (T == S)
   * @return [B, H, T, D]
   */
  NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, boolean causal);
}
