package io.kubetune.trainer.zero;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.kubetune.trainer.data.Batch;
import io.kubetune.trainer.dist.Collectives;
import io.kubetune.trainer.io.ProcessMemory;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.train.AdamW;
import io.kubetune.trainer.train.BatchTensors;
import io.kubetune.trainer.train.CheckpointManifest;
import io.kubetune.trainer.train.CheckpointReader;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.FlatLayout;
import io.kubetune.trainer.train.RankFigures;
import io.kubetune.trainer.train.StepEngine;
import io.kubetune.trainer.train.TrainableModel;
import io.kubetune.trainer.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Data-parallel training with ZeRO-sharded state, over any {@link Collectives} (a world of one
 * included: then it is plain training). Each optimizer step: every rank runs forward and backward
 * on its share of the step's micro-batches (micro-batch i goes to rank i mod world), gradients are
 * summed across ranks as the stage says, the loss is token-weighted over the whole step, the global
 * gradient norm is clipped, and AdamW steps what each rank owns. N ranks compute what one rank
 * computes on the same micro-batches.
 */
public final class ZeroEngine implements StepEngine, AutoCloseable {
  private final ZeroConfig config;
  private final Collectives group;
  private final TrainableModel model;
  private final NDManager manager;
  private final FlatLayout layout;
  private final ShardedUnit outer;
  private final List<ShardedUnit> layers;
  private final List<ShardedUnit> all;
  private final LayerwisePass pass;
  private final AdamW.Config adam;
  private final double maxGradNorm;
  private final long seed;
  private long optimizerStep;
  private RankFigures figures;

  public ZeroEngine(
      NDManager manager,
      TrainableModel model,
      ZeroConfig config,
      Collectives group,
      AdamW.Config adam,
      double maxGradNorm,
      long seed) {
    this.manager = manager;
    this.model = model;
    this.config = config;
    this.group = group;
    this.adam = adam;
    this.maxGradNorm = maxGradNorm;
    this.seed = seed;
    this.layout = FlatLayout.of(model.trainable());
    Map<String, FlatLayout.Unit> byName = new LinkedHashMap<>();
    layout.units().forEach(u -> byName.put(u.name(), u));
    Map<String, Map<String, NDArray>> frozen =
        config.shardsParameters() ? FrozenLayout.byUnit(frozenTensors(model)) : Map.of();
    int numLayers = model.base().numLayers();
    List<String> names = new ArrayList<>();
    names.add(FlatLayout.OUTER);
    for (int i = 0; i < numLayers; i++) {
      names.add("layers." + i);
    }
    List<ShardedUnit> units = new ArrayList<>();
    for (String name : names) {
      FlatLayout.Unit unit = byName.getOrDefault(name, new FlatLayout.Unit(name, 0, List.of()));
      List<NDArray> params =
          unit.slots().stream().map(s -> model.trainable().get(s.name())).toList();
      Map<String, NDArray> unitFrozen = frozen.getOrDefault(name, Map.of());
      units.add(
          new ShardedUnit(
              name,
              unit,
              params,
              unitFrozen.isEmpty() ? FrozenLayout.empty() : FrozenLayout.of(unitFrozen),
              config,
              manager));
    }
    this.all = List.copyOf(units);
    this.outer = units.get(0);
    this.layers = units.subList(1, units.size());
    this.pass =
        new LayerwisePass(
            model.trainingView(),
            model::trainingEmbeddings,
            outer,
            layers,
            group,
            config.recompute());
  }

  /** The base model's tensors that do not train (LoRA's base weights). */
  private static Map<String, NDArray> frozenTensors(TrainableModel model) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    model
        .base()
        .baseParameters()
        .forEach(
            (n, t) -> {
              if (!model.trainable().containsValue(t)) {
                out.put(n, t);
              }
            });
    return out;
  }

  public ZeroConfig config() {
    return config;
  }

  public FlatLayout layout() {
    return layout;
  }

  /** What this rank holds between steps. */
  public StateBytes stateBytes() {
    return all.stream().map(ShardedUnit::stateBytes).reduce(StateBytes.NONE, StateBytes::plus);
  }

  @Override
  public RankFigures figures() {
    if (figures == null) {
      StateBytes held = stateBytes();
      return new RankFigures(
          config.rank(),
          config.world(),
          config.stage(),
          0,
          0,
          group.busyNanos() / 1e9,
          held.parameters(),
          held.gradients(),
          held.optimizer(),
          ProcessMemory.peakRssBytes());
    }
    return figures;
  }

  @Override
  public long optimizerStep() {
    return optimizerStep;
  }

  @Override
  public CheckpointState.StepRecord step(long step, List<Batch> micro, double lr) {
    long targets = micro.stream().mapToLong(Batch::lossTokens).sum();
    long tokens = micro.stream().mapToLong(Batch::tokens).sum();
    if (targets == 0) {
      return new CheckpointState.StepRecord(step + 1, Double.NaN, lr, 0, tokens);
    }
    long started = System.nanoTime();
    long mine = 0;
    for (int i = config.rank(); i < micro.size(); i += config.world()) {
      mine += micro.get(i).tokens();
    }
    try (NDScope scope = new NDScope()) {
      NDArray scale = Tensors.scalar(manager, (float) (1.0 / targets));
      NDArray nothing = Tensors.scalar(manager, 0f);
      double lossSum = 0;
      // every rank runs the same number of passes, since passes hold collectives (ZeRO-2/3): where
      // the step has fewer micro-batches than that takes (the data's last step), a rank repeats
      // one with its gradients scaled by zero
      int passes = (micro.size() + config.world() - 1) / config.world();
      for (int k = 0; k < passes; k++) {
        int i = k * config.world() + config.rank();
        boolean real = i < micro.size();
        int index = real ? i : micro.size() - 1;
        BatchTensors batch = BatchTensors.of(manager, micro.get(index));
        double sum =
            pass.run(batch, real ? scale : nothing, unit -> dropoutSeed(step, index, unit));
        lossSum += real ? sum : 0;
      }
      all.forEach(u -> u.reduceGradients(group));
      double squares = 0;
      for (ShardedUnit u : all) {
        squares += u.gradientSquares();
      }
      double[] sums = sumAcrossRanks(lossSum, squares);
      double norm = Math.sqrt(sums[1]);
      if (maxGradNorm > 0) {
        double coef = maxGradNorm / (norm + 1e-6);
        if (coef < 1) {
          all.forEach(u -> u.gradients().forEach(g -> g.muli(coef)));
        }
      }
      optimizerStep++;
      all.forEach(u -> u.update(adam, optimizerStep, lr, group));
      all.forEach(ShardedUnit::zeroGradients);
      scope.suppressNotUsedWarning();
      StateBytes held = stateBytes();
      figures =
          new RankFigures(
              config.rank(),
              config.world(),
              config.stage(),
              mine,
              (System.nanoTime() - started) / 1e9,
              group.busyNanos() / 1e9,
              held.parameters(),
              held.gradients(),
              held.optimizer(),
              ProcessMemory.peakRssBytes());
      return new CheckpointState.StepRecord(step + 1, sums[0] / targets, lr, norm, tokens);
    }
  }

  private double[] sumAcrossRanks(double lossSum, double squares) {
    if (config.world() == 1) {
      return new double[] {lossSum, squares};
    }
    NDArray both = manager.create(new double[] {lossSum, squares}).duplicate();
    group.allReduce(both, "loss and gradient norm");
    double[] out = both.toDoubleArray();
    both.close();
    return out;
  }

  /** Mixes the seed, the step, the micro-batch's index in the whole step and the unit. */
  private int dropoutSeed(long step, int micro, int unit) {
    long mixed = seed * 0x9E3779B97F4A7C15L + step * 1_000_003L + micro * 7919L + unit;
    mixed ^= mixed >>> 29;
    mixed *= 0xBF58476D1CE4E5B9L;
    return (int) (mixed ^ (mixed >>> 32));
  }

  @Override
  public Path save(CheckpointStore store, CheckpointState state) throws IOException {
    Path pending = store.pending(state.step());
    List<TensorSource> tensors = new ArrayList<>();
    for (ShardedUnit u : all) {
      if (u.layout().numel() == 0 || u.ownRange().length() == 0) {
        continue;
      }
      for (CheckpointStore.Field f : CheckpointStore.Field.values()) {
        tensors.add(TensorSource.of(f.tensorName(u.name()), u.checkpointView(f)));
      }
    }
    store.writeShard(
        pending,
        config.rank(),
        config.world(),
        tensors,
        Map.of("rank", String.valueOf(config.rank()), "world", String.valueOf(config.world())));
    group.barrier("checkpoint step " + state.step() + ": shards written");
    Path dir = store.dirOf(state.step());
    if (config.rank() == 0) {
      dir =
          store.commit(
              pending,
              new CheckpointManifest(
                  CheckpointManifest.FORMAT,
                  config.world(),
                  config.stage(),
                  layout,
                  List.of(),
                  state));
    }
    group.barrier("checkpoint step " + state.step() + ": committed");
    return dir;
  }

  /**
   * Loads a checkpoint's AdamW moments, re-sharding them if another world size wrote it, and under
   * ZeRO-3 this rank's range of the parameters (below stage 3 the parameters were restored into the
   * model before this engine took them).
   */
  public void restore(CheckpointStore store, Path dir, long optimizerStep) throws IOException {
    try (CheckpointReader reader = store.reader(dir)) {
      if (!reader.manifest().layout().equals(layout)) {
        throw new IOException(dir + ": its tensors do not match the trainable tensors of this run");
      }
      for (ShardedUnit u : all) {
        if (u.layout().numel() == 0) {
          continue;
        }
        for (CheckpointStore.Field f : CheckpointStore.Field.values()) {
          if (f == CheckpointStore.Field.PARAM && !config.shardsParameters()) {
            continue;
          }
          long[] start = new long[1];
          NDArray target = u.restoreTarget(f, start);
          reader.read(u.name(), f, start[0], target);
        }
      }
    }
    this.optimizerStep = optimizerStep;
  }

  /** What rank 0 runs in {@link #onRank0LayerByLayer}. */
  @FunctionalInterface
  public interface Rank0Body<T> {
    /**
     * @param beforeRead call with a tensor's name before reading its values
     */
    T run(Consumer<String> beforeRead) throws IOException;
  }

  /**
   * Runs body on rank 0 (e.g. the export) with every tensor it reads in place: under ZeRO-3 the
   * layer of each tensor is gathered when body first reads one of its tensors and released when it
   * moves on (rank 0 tells the others which layer to gather next), so no rank ever holds more than
   * one whole layer. Other ranks return null once rank 0 is done.
   */
  public <T> T onRank0LayerByLayer(Rank0Body<T> body) throws IOException {
    if (!config.shardsParameters()) {
      return config.rank() == 0 ? body.run(name -> {}) : null;
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < all.size(); i++) {
      index.put(all.get(i).name(), i);
    }
    int[] current = {-1};
    if (config.rank() != 0) {
      for (int next = announced(-1); next >= 0; next = announced(-1)) {
        move(current, next);
      }
      move(current, -1);
      return null;
    }
    try {
      return body.run(
          name -> {
            int unit = index.get(FlatLayout.unitOf(name));
            if (unit != current[0]) {
              announced(unit);
              move(current, unit);
            }
          });
    } finally {
      announced(-1);
      move(current, -1);
    }
  }

  /** Rank 0 sends unit (-1: done); every rank returns it. */
  private int announced(int unit) {
    try (NDManager m = manager.newSubManager()) {
      NDArray t = m.create(new double[] {unit}).duplicate();
      group.broadcast(t, 0, "the layer to export next");
      return (int) t.toDoubleArray()[0];
    }
  }

  private void move(int[] current, int next) {
    if (current[0] >= 0) {
      all.get(current[0]).release();
    }
    if (next >= 0) {
      all.get(next).gather(group);
    }
    current[0] = next;
  }

  @Override
  public <T> T withFullModel(Supplier<T> body) {
    if (!config.shardsParameters()) {
      return body.get();
    }
    all.forEach(u -> u.gather(group));
    try {
      return body.get();
    } finally {
      all.forEach(ShardedUnit::release);
    }
  }

  @Override
  public void close() {
    all.forEach(ShardedUnit::close);
  }
}
