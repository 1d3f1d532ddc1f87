package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;

/** A linear projection y = x W^T (+ b), W stored [out, in] as HuggingFace does. */
public interface Linear {
  NDArray apply(NDArray x);

  /** The base weight [out, in]. */
  NDArray weight();

  /** The bias [out], or null. */
  NDArray bias();
}
