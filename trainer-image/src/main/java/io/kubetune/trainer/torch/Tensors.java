package io.kubetune.trainer.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Small tensor constructors that are safe to use under autograd. */
public final class Tensors {
  private Tensors() {}

  /**
   * A scalar whose memory libtorch owns. DJL's {@code create(float)} aliases a Java direct buffer
   * that the GC may free while autograd still reads it (field-notes.md: wrong gradients).
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

  /** An int64 tensor [rows, cols] from a rectangular int matrix. */
  public static NDArray int64(NDManager manager, int[][] values) {
    int rows = values.length;
    int cols = rows == 0 ? 0 : values[0].length;
    long[] flat = new long[rows * cols];
    for (int r = 0; r < rows; r++) {
      if (values[r].length != cols) {
        throw new IllegalArgumentException("ragged matrix: row " + r + " has " + values[r].length);
      }
      for (int c = 0; c < cols; c++) {
        flat[r * cols + c] = values[r][c];
      }
    }
    return int64(manager, flat, new Shape(rows, cols));
  }

  /** A bool tensor of the given shape from row-major values. */
  public static NDArray bool(NDManager manager, boolean[] values, Shape shape) {
    try (NDArray javaBacked = manager.create(values, shape)) {
      return javaBacked.duplicate();
    }
  }
}
