package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Where one forward pass gets the keys and values it attends to, and which it may see. */
interface KvView {
  /** The keys and values to attend to, given this pass's own k and v [B, Hkv, T, D]. */
  NDList keysValues(int layer, NDArray k, NDArray v);

  /** Null or bool [B, 1, T, S]. */
  NDArray mask();

  boolean causal();

  /** Segment ids [B][T] when this pass attends sample by sample (packed rows), else null. */
  default int[][] segments() {
    return null;
  }

  /** No cache: attend to this pass's tokens under the given mask. */
  static KvView uncached(AttentionMask mask) {
    return new KvView() {
      @Override
      public NDList keysValues(int layer, NDArray k, NDArray v) {
        return new NDList(k, v);
      }

      @Override
      public NDArray mask() {
        return mask.mask();
      }

      @Override
      public boolean causal() {
        return mask.isCausal();
      }

      @Override
      public int[][] segments() {
        return mask.segments();
      }
    };
  }
}
