package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.model.Linear;
import io.kubetune.trainer.torch.Aten;

/**
 * A frozen linear layer plus a trainable low-rank update, as PEFT's LoRA computes it: base(x) +
 * B(A(dropout(x))) * alpha / r.
 *
 * @param a lora_A [r, in]
 * @param b lora_B [out, r]
 * @param scaling alpha / r as a long-lived scalar tensor
 * @param dropout applied to the adapter's input while training; 0 at inference
 */
public record LoraLinear(Linear base, NDArray a, NDArray b, NDArray scaling, double dropout)
    implements Linear {

  @Override
  public NDArray apply(NDArray x) {
    var dtype = Aten.dtype(x);
    NDArray input = dropout > 0 ? Aten.dropout(x, dropout) : x;
    // the scaling goes onto lora_B [out, r] rather than onto the update [.., out]: the same
    // product (exact for a power-of-two alpha / r), an elementwise pass over r * out weights
    // instead of over every token's output
    NDArray scaledB = Aten.to(b, dtype).mul(Aten.to(scaling, dtype));
    NDArray update = Aten.linear(Aten.linear(input, Aten.to(a, dtype), null), scaledB, null);
    return base.apply(x).add(update);
  }

  @Override
  public NDArray weight() {
    return base.weight();
  }

  @Override
  public NDArray bias() {
    return base.bias();
  }
}
