package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Dtype;
import java.util.function.Supplier;

/**
 * A tensor to write: its metadata up front (the header is written first) and its values on demand,
 * so that a writer streams a model tensor by tensor and never holds it twice.
 *
 * @param values produces the tensor when its turn comes; anything it creates is freed right after
 */
public record TensorSource(String name, Dtype dtype, Shape shape, Supplier<NDArray> values) {
  public long byteSize() {
    return shape.size() * dtype.byteSize();
  }

  /** A source for a tensor that already exists, written as it is. */
  public static TensorSource of(String name, NDArray tensor) {
    return new TensorSource(
        name, io.kubetune.trainer.torch.Aten.dtype(tensor), tensor.getShape(), () -> tensor);
  }
}
