package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;

/**
 * Root-mean-square layer norm as LlamaRMSNorm computes it: statistics in fp32, the result cast back
 * to the input's dtype, then scaled by the weight.
 *
 * @param eps a long-lived fp32 scalar tensor (see Tensors.scalar)
 */
public record RmsNorm(NDArray weight, NDArray eps) {
  public NDArray apply(NDArray x) {
    Dtype dtype = Aten.dtype(x);
    NDArray x32 = Aten.to(x, Dtype.F32);
    NDArray variance = x32.square().mean(new int[] {-1}, true);
    NDArray normed = x32.mul(Aten.rsqrt(variance.add(eps)));
    return Aten.to(weight, dtype).mul(Aten.to(normed, dtype));
  }
}
