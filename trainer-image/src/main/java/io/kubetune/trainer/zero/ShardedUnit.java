package io.kubetune.trainer.zero;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.dist.Collectives;
import io.kubetune.trainer.dist.ParameterStorage;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.train.AdamW;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.FlatLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One unit's training state on this rank (a decoder layer, or everything outside the layers): its
 * trainable parameters in one flat fp32 buffer (each parameter tensor of the model a view into it),
 * their gradients and AdamW moments, and under ZeRO-3 its frozen tensors, held whole or as this
 * rank's shard as the stage says (see {@link ZeroConfig}).
 *
 * <p>Shard r of a unit is elements [r * S, (r + 1) * S) of its flat space padded to world * S; the
 * padding stays zero in parameters, gradients and moments.
 */
final class ShardedUnit implements AutoCloseable {
  private final String name;
  private final FlatLayout.Unit layout;
  private final List<NDArray> params;
  private final FrozenLayout frozen;
  private final ZeroConfig config;
  private final NDManager manager;
  private final long shardSize;
  private final long shardStart;
  private final long frozenShardSize;

  /** Whole parameters: always below stage 3, while gathered at stage 3. */
  private NDArray full;

  /** This rank's parameters at stage 3. */
  private NDArray shard;

  /** Whole gradients: stages 0-1 always, stages 2-3 while a backward is open. */
  private NDArray fullGrad;

  /** This rank's accumulated gradients at stages 2-3. */
  private NDArray shardGrad;

  private final AdamW.Moments moments;
  private NDArray frozenShard;
  private NDArray frozenFull;
  private final List<NDArray> gathered = new ArrayList<>();

  ShardedUnit(
      String name,
      FlatLayout.Unit layout,
      List<NDArray> params,
      FrozenLayout frozen,
      ZeroConfig config,
      NDManager manager) {
    this.name = name;
    this.layout = layout;
    this.params = List.copyOf(params);
    this.frozen = frozen;
    this.config = config;
    this.manager = manager;
    int world = config.world();
    this.shardSize = layout.shard(world);
    this.shardStart = config.rank() * shardSize;
    this.frozenShardSize = frozen.shard(world);
    long padded = layout.padded(world);
    if (config.shardsParameters()) {
      shard = keep(manager.zeros(new Shape(shardSize)));
      copyOwnRange();
      params.forEach(ParameterStorage::release);
      shardFrozen();
    } else {
      full = keep(manager.zeros(new Shape(padded)));
      for (int i = 0; i < params.size(); i++) {
        NDArray slot = slotView(full, i);
        Aten.copyInto(slot, params.get(i));
        Aten.setStorage(params.get(i), slot);
      }
    }
    if (config.sharding() && !config.shardsGradients()) {
      fullGrad = keep(manager.zeros(new Shape(padded)));
      for (int i = 0; i < params.size(); i++) {
        ParameterStorage.setGrad(params.get(i), slotView(fullGrad, i));
      }
    } else if (config.shardsGradients()) {
      shardGrad = keep(manager.zeros(new Shape(shardSize)));
    }
    long moment = config.shardsOptimizer() ? shardSize : padded;
    moments =
        new AdamW.Moments(
            keep(manager.zeros(new Shape(moment))), keep(manager.zeros(new Shape(moment))));
  }

  String name() {
    return name;
  }

  FlatLayout.Unit layout() {
    return layout;
  }

  /** Stage 3: gathers the whole unit (parameters and frozen tensors) into place. */
  void gather(Collectives group) {
    if (!config.shardsParameters() || full != null) {
      return;
    }
    full = Aten.empty(manager, new Shape(layout.padded(config.world())), Dtype.F32);
    if (layout.numel() > 0) {
      group.allGather(full, shard, "parameters of " + name);
    }
    NDArray bytes = ParameterStorage.bytesOf(manager, full);
    gathered.add(bytes);
    for (int i = 0; i < params.size(); i++) {
      ParameterStorage.viewInto(
          params.get(i), bytes, layout.slots().get(i).offset() * 4, Dtype.F32);
    }
    if (frozen.bytes() > 0) {
      frozenFull = Aten.empty(manager, new Shape(frozenShardSize * config.world()), Dtype.U8);
      group.allGather(frozenFull, frozenShard, "frozen weights of " + name);
      for (FrozenLayout.Slot s : frozen.slots()) {
        ParameterStorage.viewInto(s.tensor(), frozenFull, s.offset());
      }
    }
  }

  /** Stage 3: frees what gather() brought in. */
  void release() {
    if (!config.shardsParameters() || full == null) {
      return;
    }
    params.forEach(ParameterStorage::release);
    frozen.slots().forEach(s -> ParameterStorage.release(s.tensor()));
    gathered.forEach(NDArray::close);
    gathered.clear();
    full.close();
    full = null;
    if (frozenFull != null) {
      frozenFull.close();
      frozenFull = null;
    }
  }

  /** Before this unit's backward (stages 2-3): gradients accumulate into a fresh flat buffer. */
  void openGradients() {
    if (!config.shardsGradients() || fullGrad != null) {
      return;
    }
    fullGrad = manager.zeros(new Shape(layout.padded(config.world())));
    for (int i = 0; i < params.size(); i++) {
      ParameterStorage.setGrad(params.get(i), slotView(fullGrad, i));
    }
  }

  /** After this unit's backward (stages 2-3): reduce-scatters the gradients into the shard. */
  void closeGradients(Collectives group) {
    if (!config.shardsGradients() || fullGrad == null) {
      return;
    }
    if (layout.numel() == 0) {
      fullGrad.close();
      fullGrad = null;
      return;
    }
    NDArray mine = Aten.empty(manager, new Shape(shardSize), Dtype.F32);
    group.reduceScatter(mine, fullGrad, "gradients of " + name);
    shardGrad.addi(mine);
    mine.close();
    params.forEach(ParameterStorage::clearGrad);
    fullGrad.close();
    fullGrad = null;
  }

  /** At the end of a step's backward (stages 0-1): all-reduces the accumulated gradients. */
  void reduceGradients(Collectives group) {
    if (config.sharding() && !config.shardsGradients() && layout.numel() > 0) {
      group.allReduce(fullGrad, "gradients of " + name);
    }
  }

  /** The sum of squares of the gradients this rank owns (for the global norm). */
  double gradientSquares() {
    if (layout.numel() == 0) {
      return 0;
    }
    List<NDArray> own =
        !config.sharding()
            ? gradients()
            : List.of(config.shardsGradients() ? shardGrad : ownRange(fullGrad));
    double sum = 0;
    for (NDArray g : own) {
      try (NDArray squared = g.square();
          NDArray total = squared.sum()) {
        sum += total.getFloat();
      }
    }
    return sum;
  }

  /** The gradients this rank's optimizer reads (its shard, or all at stage 0 / one process). */
  List<NDArray> gradients() {
    if (!config.sharding()) {
      return params.stream().map(NDArray::getGradient).toList();
    }
    if (config.shardsGradients()) {
      return List.of(shardGrad);
    }
    return List.of(config.shardsOptimizer() ? ownRange(fullGrad) : fullGrad);
  }

  /** Steps AdamW on what this rank owns, then (stages 1-2) shares the new values. */
  void update(AdamW.Config adam, long step, double lr, Collectives group) {
    if (layout.numel() == 0) {
      return;
    }
    if (!config.sharding()) {
      for (int i = 0; i < params.size(); i++) {
        NDArray p = params.get(i);
        AdamW.apply(
            adam,
            step,
            lr,
            p,
            p.getGradient(),
            new AdamW.Moments(slotView(moments.m(), i), slotView(moments.v(), i)));
      }
      return;
    }
    NDArray g = gradients().get(0);
    if (config.shardsParameters()) {
      AdamW.apply(adam, step, lr, shard, g, moments);
    } else if (!config.shardsOptimizer()) {
      AdamW.apply(adam, step, lr, full, g, moments);
    } else {
      AdamW.apply(adam, step, lr, ownRange(full), g, moments);
      NDArray mine = ownRange(full).duplicate();
      group.allGather(full, mine, "updated parameters of " + name);
      mine.close();
    }
  }

  void zeroGradients() {
    if (layout.numel() == 0) {
      return;
    }
    for (NDArray g : gradients()) {
      Aten.zero(g);
    }
    if (fullGrad != null) {
      Aten.zero(fullGrad);
    }
  }

  /** This rank's parameters, moments, etc. as written to its checkpoint shard: [start, end). */
  FlatLayout.Range ownRange() {
    return layout.range(config.world(), config.rank());
  }

  /** A field's values over ownRange(), as a view. */
  NDArray checkpointView(CheckpointStore.Field field) {
    FlatLayout.Range r = ownRange();
    return switch (field) {
      case PARAM ->
          config.shardsParameters()
              ? Aten.narrow(shard, 0, 0, r.length())
              : Aten.narrow(full, 0, r.start(), r.length());
      case EXP_AVG -> momentView(moments.m(), r);
      case EXP_AVG_SQ -> momentView(moments.v(), r);
    };
  }

  private NDArray momentView(NDArray m, FlatLayout.Range r) {
    return config.shardsOptimizer()
        ? Aten.narrow(m, 0, 0, r.length())
        : Aten.narrow(m, 0, r.start(), r.length());
  }

  /**
   * Where a checkpoint's values go: for parameters below stage 3 the whole unit (every rank holds
   * all of it), else this rank's range.
   */
  NDArray restoreTarget(CheckpointStore.Field field, long[] start) {
    if (field == CheckpointStore.Field.PARAM && !config.shardsParameters()) {
      start[0] = 0;
      return Aten.narrow(full, 0, 0, layout.numel());
    }
    if (field != CheckpointStore.Field.PARAM && !config.shardsOptimizer()) {
      start[0] = 0;
      NDArray m = field == CheckpointStore.Field.EXP_AVG ? moments.m() : moments.v();
      return Aten.narrow(m, 0, 0, layout.numel());
    }
    start[0] = ownRange().start();
    return checkpointView(field);
  }

  /** Persistent bytes held: parameters (trainable and frozen), gradients, optimizer moments. */
  StateBytes stateBytes() {
    long paramBytes = 4 * (config.shardsParameters() ? shardSize : layout.padded(config.world()));
    long frozenBytes =
        config.shardsParameters()
            ? frozenShardSize
            : frozen.slots().stream().mapToLong(FrozenLayout.Slot::bytes).sum();
    long gradBytes = 4 * (config.shardsGradients() ? shardSize : layout.padded(config.world()));
    long optimizerBytes = 2 * 4 * moments.m().getShape().size();
    return new StateBytes(paramBytes + frozenBytes, gradBytes, optimizerBytes);
  }

  private void copyOwnRange() {
    FlatLayout.Range mine = new FlatLayout.Range(shardStart, shardSize);
    for (int i = 0; i < params.size(); i++) {
      FlatLayout.Slot slot = layout.slots().get(i);
      FlatLayout.Range at = new FlatLayout.Range(slot.offset(), slot.numel());
      FlatLayout.Range overlap = at.intersect(mine);
      if (overlap.length() > 0) {
        NDArray flat = Aten.flatten(params.get(i)); // fp32, or as stored (bf16) under ZeRO-3
        Aten.copyInto(
            Aten.narrow(shard, 0, overlap.start() - shardStart, overlap.length()),
            Aten.narrow(flat, 0, overlap.start() - slot.offset(), overlap.length()));
      }
    }
  }

  private void shardFrozen() {
    if (frozen.bytes() == 0) {
      return;
    }
    frozenShard = keep(Aten.empty(manager, new Shape(frozenShardSize), Dtype.U8));
    Aten.zero(frozenShard);
    long start = config.rank() * frozenShardSize;
    FlatLayout.Range mine = new FlatLayout.Range(start, frozenShardSize);
    for (FrozenLayout.Slot s : frozen.slots()) {
      FlatLayout.Range overlap = new FlatLayout.Range(s.offset(), s.bytes()).intersect(mine);
      if (overlap.length() > 0) {
        NDArray bytes = ParameterStorage.bytesOf(manager, Aten.contiguous(s.tensor()));
        Aten.copyInto(
            Aten.narrow(frozenShard, 0, overlap.start() - start, overlap.length()),
            Aten.narrow(bytes, 0, overlap.start() - s.offset(), overlap.length()));
        bytes.close();
      }
      ParameterStorage.release(s.tensor());
    }
  }

  private NDArray slotView(NDArray flat, int i) {
    FlatLayout.Slot slot = layout.slots().get(i);
    return Aten.narrow(flat, 0, slot.offset(), slot.numel()).reshape(new Shape(slot.dims()));
  }

  private NDArray ownRange(NDArray flat) {
    return Aten.narrow(flat, 0, shardStart, shardSize);
  }

  private static NDArray keep(NDArray t) {
    // unit state outlives the NDScope of the step it may first be touched in
    ai.djl.ndarray.NDScope.unregister(t);
    return t;
  }

  @Override
  public void close() {
    release();
  }
}
