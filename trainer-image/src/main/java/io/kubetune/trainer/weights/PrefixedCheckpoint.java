package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A view of part of a checkpoint under other names: the tensors whose names {@code toInner} maps
 * (to non-null), e.g. a LLaVA checkpoint's {@code model.language_model.*} seen as a causal LM's
 * {@code model.*}. Closing the view leaves the checkpoint open (its owner closes it).
 */
public final class PrefixedCheckpoint implements Checkpoint {
  private final Checkpoint outer;
  private final Map<String, String> innerToOuter;
  private final Map<String, TensorInfo> tensors;

  /**
   * @param toInner the view's name of an outer tensor, or null when the view leaves it out
   */
  public PrefixedCheckpoint(Checkpoint outer, UnaryOperator<String> toInner) {
    this.outer = outer;
    Map<String, String> names = new LinkedHashMap<>();
    Map<String, TensorInfo> infos = new LinkedHashMap<>();
    outer
        .tensors()
        .forEach(
            (name, info) -> {
              String inner = toInner.apply(name);
              if (inner != null) {
                names.put(inner, name);
                infos.put(inner, info);
              }
            });
    this.innerToOuter = Collections.unmodifiableMap(names);
    this.tensors = Collections.unmodifiableMap(infos);
  }

  @Override
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  @Override
  public NDArray load(NDManager manager, String name) {
    String outerName = innerToOuter.get(name);
    if (outerName == null) {
      throw new IllegalArgumentException("no tensor '" + name + "' in this view");
    }
    return outer.load(manager, outerName);
  }

  /** The outer checkpoint's name of a tensor of this view. */
  public String outerName(String name) {
    return innerToOuter.get(name);
  }

  @Override
  public List<Path> files() {
    return outer.files();
  }

  @Override
  public void close() {}
}
