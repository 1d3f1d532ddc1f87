package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.torch.Aten;

/** The SwiGLU feed-forward block: down(silu(gate(x)) * up(x)). */
public record Mlp(Linear gate, Linear up, Linear down) {
  NDArray forward(NDArray x) {
    return down.apply(Aten.silu(gate.apply(x)).mul(up.apply(x)));
  }
}
