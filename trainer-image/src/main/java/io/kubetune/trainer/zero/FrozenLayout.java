package io.kubetune.trainer.zero;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.torch.Aten;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A unit's frozen tensors (LoRA's base weights, in whatever dtype they are kept) laid end to end as
 * bytes, each at a 64-byte boundary, so that ZeRO-3 can shard and gather them whatever their dtype.
 */
record FrozenLayout(List<Slot> slots, long bytes) {
  static final int ALIGN = 64;

  record Slot(String name, NDArray tensor, long offset, long bytes) {}

  static FrozenLayout of(Map<String, NDArray> tensors) {
    List<Slot> slots = new ArrayList<>();
    long at = 0;
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      long size = e.getValue().getShape().size() * Aten.dtype(e.getValue()).byteSize();
      slots.add(new Slot(e.getKey(), e.getValue(), at, size));
      at = align(at + size);
    }
    return new FrozenLayout(slots, at);
  }

  static FrozenLayout empty() {
    return new FrozenLayout(List.of(), 0);
  }

  /** Bytes per rank: ceil(bytes / world), rounded up to the alignment. */
  long shard(int world) {
    return align((bytes + world - 1) / world);
  }

  static long align(long n) {
    return (n + ALIGN - 1) / ALIGN * ALIGN;
  }

  /** Groups tensors by unit name. */
  static Map<String, Map<String, NDArray>> byUnit(Map<String, NDArray> tensors) {
    Map<String, Map<String, NDArray>> out = new LinkedHashMap<>();
    tensors.forEach(
        (n, t) ->
            out.computeIfAbsent(
                    io.kubetune.trainer.train.FlatLayout.unitOf(n), k -> new LinkedHashMap<>())
                .put(n, t));
    return out;
  }
}
