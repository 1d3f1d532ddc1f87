package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.torch.Aten;

/**
 * libtorch's scaled_dot_product_attention through its dispatcher: fused flash or memory-efficient
 * kernels where they apply, grouped-query heads without repeating k and v.
 */
public final class SdpaAttention implements AttentionBackend {
  @Override
  public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, boolean causal) {
    boolean grouped = q.getShape().get(1) != k.getShape().get(1);
    return Aten.scaledDotProductAttention(q, k, v, mask, mask == null && causal, grouped);
  }
}
