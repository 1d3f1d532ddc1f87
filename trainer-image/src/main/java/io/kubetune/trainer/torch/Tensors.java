package io.kubetune.trainer.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Small tensor constructors that are safe to use under autograd. */
public final class Tensors {
  private Tensors() {}

  /**
   * A scalar whose memory libtorch owns. DJL's {@code create(float)} aliases a Java direct buffer
   * that the GC may free while autograd still reads it (docs/runtime-notes.md: wrong gradients).
   */
  public static NDArray scalar(NDManager manager, float value) {
    try (NDArray javaBacked = manager.create(value)) {
      return javaBacked.duplicate();
    }
  }

  /** An int64 tensor of the given shape from row-major values, in memory libtorch owns. */
  public static NDArray int64(NDManager manager, long[] values, Shape shape) {
    try (NDArray javaBacked = manager.create(values, shape)) {
      return javaBacked.duplicate();
    }
  }

  /** A float32 tensor of the given shape from row-major values, in memory libtorch owns. */
  public static NDArray float32(NDManager manager, float[] values, Shape shape) {
    try (NDArray javaBacked = manager.create(values, shape)) {
      return javaBacked.duplicate();
    }
  }

  /** A bool tensor of the given shape from row-major values. */
  public static NDArray bool(NDManager manager, boolean[] values, Shape shape) {
    try (NDArray javaBacked = manager.create(values, shape)) {
      return javaBacked.duplicate();
    }
  }
}
