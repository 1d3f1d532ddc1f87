package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Tensors;

/**
 * A pass over B sequences in consecutive cache slots, each adding T tokens at its own start
 * position: their k and v are written into the cache, and each query attends to its sequence's
 * cached keys up to its own position.
 */
final class CachedKvView implements KvView {
  private final KvCache cache;
  private final int firstSlot;
  private final long[] starts;
  private final int tokens;
  private final int span;
  private final NDArray mask;

  CachedKvView(NDManager manager, KvCache cache, int firstSlot, long[] starts, int tokens) {
    this.cache = cache;
    this.firstSlot = firstSlot;
    this.starts = starts.clone();
    this.tokens = tokens;
    long maxStart = 0;
    boolean sameStart = true;
    for (long s : starts) {
      maxStart = Math.max(maxStart, s);
      sameStart &= s == starts[0];
    }
    this.span = (int) maxStart + tokens;
    if (firstSlot < 0 || firstSlot + starts.length > cache.slots() || span > cache.capacity()) {
      throw new IllegalArgumentException(
          "cache holds "
              + cache.slots()
              + " slots of "
              + cache.capacity()
              + " tokens; asked for slots "
              + firstSlot
              + ".."
              + (firstSlot + starts.length - 1)
              + " up to position "
              + span);
    }
    // common shapes need no mask: a fresh prefill is plain causal, a single-token step sees all
    boolean fresh = sameStart && starts[0] == 0;
    boolean singleStep = sameStart && tokens == 1;
    this.mask = fresh || singleStep ? null : buildMask(manager);
  }

  @Override
  public NDList keysValues(int layer, NDArray k, NDArray v) {
    NDArray cachedK = cache.keys(layer);
    NDArray cachedV = cache.values(layer);
    for (int b = 0; b < starts.length; b++) {
      Aten.copyInto(window(cachedK, firstSlot + b, starts[b]), Aten.narrow(k, 0, b, 1));
      Aten.copyInto(window(cachedV, firstSlot + b, starts[b]), Aten.narrow(v, 0, b, 1));
    }
    NDArray keys = Aten.narrow(Aten.narrow(cachedK, 0, firstSlot, starts.length), 2, 0, span);
    NDArray values = Aten.narrow(Aten.narrow(cachedV, 0, firstSlot, starts.length), 2, 0, span);
    return new NDList(keys, values);
  }

  @Override
  public NDArray mask() {
    return mask;
  }

  @Override
  public boolean causal() {
    return mask == null && span == tokens && tokens > 1;
  }

  private NDArray window(NDArray cached, int slot, long start) {
    return Aten.narrow(Aten.narrow(cached, 0, slot, 1), 2, start, tokens);
  }

  private NDArray buildMask(NDManager manager) {
    boolean[] allowed = new boolean[starts.length * tokens * span];
    for (int b = 0; b < starts.length; b++) {
      for (int t = 0; t < tokens; t++) {
        long last = starts[b] + t;
        for (int s = 0; s <= last; s++) {
          allowed[(b * tokens + t) * span + s] = true;
        }
      }
    }
    return Tensors.bool(manager, allowed, new Shape(starts.length, 1, tokens, span));
  }
}
