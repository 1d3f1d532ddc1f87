package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of past tokens for decoding, in slots: each sequence being generated owns one
 * slot of [kv heads, capacity, head dim] per layer. A batch of sequences occupies consecutive
 * slots, so that a decode step reads them as one view without copying.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final List<NDArray> keys = new ArrayList<>();
  private final List<NDArray> values = new ArrayList<>();
  private final int slots;
  private final int capacity;

  public KvCache(NDManager parent, ModelConfig config, int slots, int capacity, Dtype dtype) {
    this.manager = parent.newSubManager();
    this.slots = slots;
    this.capacity = capacity;
    Shape shape = new Shape(slots, config.numKvHeads(), capacity, config.headDim());
    for (int i = 0; i < config.numLayers(); i++) {
      // zeroed, not empty: masked positions still meet the values in attention (0 * NaN = NaN)
      keys.add(Aten.to(manager.zeros(shape), dtype));
      values.add(Aten.to(manager.zeros(shape), dtype));
    }
  }

  public int slots() {
    return slots;
  }

  public int capacity() {
    return capacity;
  }

  NDArray keys(int layer) {
    return keys.get(layer);
  }

  NDArray values(int layer) {
    return values.get(layer);
  }

  /** Moves slot from's contents to slot to (compaction when a sequence finishes). */
  public void moveSlot(int from, int to) {
    for (int layer = 0; layer < keys.size(); layer++) {
      Aten.copyInto(
          Aten.narrow(keys.get(layer), 0, to, 1), Aten.narrow(keys.get(layer), 0, from, 1));
      Aten.copyInto(
          Aten.narrow(values.get(layer), 0, to, 1), Aten.narrow(values.get(layer), 0, from, 1));
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
