package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model folder's weights, whatever their format: tensors by HuggingFace name, each loaded as a
 * tensor that aliases the file's memory mapping where the format allows. Close it after the tensors
 * it produced.
 */
public interface Checkpoint extends AutoCloseable {
  /** Tensors in file (or index) order. */
  Map<String, TensorInfo> tensors();

  /** The tensor; it may alias the mapping, so it must not outlive this checkpoint. */
  NDArray load(NDManager manager, String name);

  /** The files the weights were read from. */
  List<Path> files();

  @Override
  void close();
}
