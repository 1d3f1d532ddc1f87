package io.kubetune.trainer.weights;

import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Dtype;

/**
 * One tensor of a safetensors file.
 *
 * @param begin absolute offset of the first byte in the file
 * @param end absolute offset one past the last byte
 */
public record TensorInfo(String name, Dtype dtype, Shape shape, long begin, long end) {
  public long byteSize() {
    return end - begin;
  }
}
