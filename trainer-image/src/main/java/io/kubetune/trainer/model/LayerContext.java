package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * The per-pass inputs every decoder layer shares (see {@link CausalLm#context}); opaque outside
 * this package.
 */
public final class LayerContext {
  private final NDArray cos;
  private final NDArray sin;
  private final KvView kv;

  LayerContext(NDArray cos, NDArray sin, KvView kv) {
    this.cos = cos;
    this.sin = sin;
    this.kv = kv;
  }

  NDArray cos() {
    return cos;
  }

  NDArray sin() {
    return sin;
  }

  KvView kv() {
    return kv;
  }
}
