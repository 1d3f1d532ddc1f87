package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.torch.Aten;

/**
 * A plain linear layer. Its weight is cast to the input's dtype on use, so fp32 master weights
 * serve a bf16 forward pass (the cast is differentiable).
 */
public record DenseLinear(NDArray weight, NDArray bias) implements Linear {
  @Override
  public NDArray apply(NDArray x) {
    var dtype = Aten.dtype(x);
    return Aten.linear(x, Aten.to(weight, dtype), bias == null ? null : Aten.to(bias, dtype));
  }
}
