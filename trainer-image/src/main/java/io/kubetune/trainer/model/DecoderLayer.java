package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;

/** One pre-norm transformer block with residual connections. */
public record DecoderLayer(RmsNorm attentionNorm, Attention attention, RmsNorm mlpNorm, Mlp mlp) {
  NDArray forward(
      NDArray x, NDArray cos, NDArray sin, KvView kv, int index, AttentionBackend backend) {
    NDArray h = x.add(attention.forward(attentionNorm.apply(x), cos, sin, kv, index, backend));
    return h.add(mlp.forward(mlpNorm.apply(h)));
  }
}
