package io.kubetune.trainer.zero;

/**
 * How this rank holds the training state.
 *
 * @param stage ZeRO stage: 0 every rank holds everything and gradients are all-reduced; 1 the
 *     optimizer moments are sharded; 2 the gradients too (reduce-scattered after each layer's
 *     backward); 3 the parameters too (gathered layer by layer for forward and again for backward,
 *     freed after use)
 * @param rank this rank
 * @param world the number of ranks
 * @param sharding whether the native layer is there to move parameters' and gradients' memory
 *     (every distributed run); a single process without it keeps DJL's own gradients
 */
public record ZeroConfig(int stage, int rank, int world, boolean sharding) {
  public ZeroConfig {
    if (stage < 0 || stage > 3) {
      throw new IllegalArgumentException("ZeRO stage " + stage + ": must be 0, 1, 2 or 3");
    }
    if (world > 1 && !sharding) {
      throw new IllegalArgumentException("a world of " + world + " needs the native layer");
    }
  }

  /** One process, no native library. */
  public static ZeroConfig single(int stage) {
    return new ZeroConfig(stage, 0, 1, false);
  }

  /** Stage 3 gathers parameters per layer and frees them, so backward recomputes each layer. */
  public boolean recompute() {
    return sharding && stage == 3;
  }

  boolean shardsParameters() {
    return sharding && stage == 3;
  }

  boolean shardsGradients() {
    return sharding && stage >= 2;
  }

  boolean shardsOptimizer() {
    return sharding && stage >= 1;
  }
}
