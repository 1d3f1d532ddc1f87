package io.kubetune.trainer.zero;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.kubetune.trainer.dist.Collectives;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.LayerContext;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.train.BatchTensors;
import io.kubetune.trainer.train.CausalLmLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

/**
 * Forward and backward of one micro-batch, one unit at a time: the embedding, each decoder layer,
 * then the final norm, lm_head and loss. Each layer's input is a leaf of its own, so backward runs
 * layer by layer from the loss down, and after each layer its unit's gradients are complete (ZeRO-2
 * reduce-scatters them right then, as DeepSpeed does).
 *
 * <p>With recomputation (ZeRO-3), forward runs without autograd, gathering each unit's parameters
 * just for its layer and keeping only the layer inputs; backward gathers each unit again and
 * recomputes its layer under autograd. Dropout is re-seeded before every layer from the step, the
 * micro-batch's index in the whole job and the layer, so recomputation sees the same masks and any
 * world size draws the same ones.
 */
final class LayerwisePass {
  private final CausalLm model;
  private final Function<BatchTensors, NDArray> embed;
  private final ShardedUnit outer;
  private final List<ShardedUnit> layers;
  private final Collectives group;
  private final boolean recompute;

  /**
   * @param embed a batch's input embeddings (token embeddings; a LLaVA's with its image features)
   */
  LayerwisePass(
      CausalLm model,
      Function<BatchTensors, NDArray> embed,
      ShardedUnit outer,
      List<ShardedUnit> layers,
      Collectives group,
      boolean recompute) {
    this.model = model;
    this.embed = embed;
    this.outer = outer;
    this.layers = List.copyOf(layers);
    this.group = group;
    this.recompute = recompute;
  }

  /**
   * Accumulates this micro-batch's gradients of (loss sum) * scale into the units.
   *
   * @param scale 1 / (targets of the whole step), a tensor so that autograd never reads a scalar
   *     Java may free
   * @param seeds the dropout seed for unit index u (0: outside the layers, 1 + i: layer i)
   * @return the micro-batch's loss sum
   */
  double run(BatchTensors batch, NDArray scale, IntUnaryOperator seeds) {
    return recompute ? recomputing(batch, scale, seeds) : keepingGraphs(batch, scale, seeds);
  }

  private double keepingGraphs(BatchTensors batch, NDArray scale, IntUnaryOperator seeds) {
    try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray embedded = embed.apply(batch);
      LayerContext context = model.context(batch.positions(), batch.mask());
      List<NDArray> inputs = new ArrayList<>();
      List<NDArray> outputs = new ArrayList<>();
      NDArray x = embedded;
      for (int i = 0; i < layers.size(); i++) {
        NDArray in = leaf(x);
        seed(seeds, 1 + i);
        x = model.layer(i, in, context);
        inputs.add(in);
        outputs.add(x);
      }
      NDArray last = leaf(x);
      outer.openGradients();
      double loss = head(batch, last, scale, seeds);
      NDArray upstream = last.getGradient();
      for (int i = layers.size() - 1; i >= 0; i--) {
        ShardedUnit unit = layers.get(i);
        unit.openGradients();
        backward(outputs.get(i), upstream);
        upstream = inputs.get(i).getGradient();
        unit.closeGradients(group);
      }
      if (Aten.requiresGrad(embedded)) {
        backward(embedded, upstream);
      }
      outer.closeGradients(group);
      return loss;
    }
  }

  private double recomputing(BatchTensors batch, NDArray scale, IntUnaryOperator seeds) {
    LayerContext context = model.context(batch.positions(), batch.mask());
    List<NDArray> inputs = new ArrayList<>();
    NDArray last =
        Aten.noGrad(
            () -> {
              outer.gather(group);
              NDArray x = embed.apply(batch);
              outer.release();
              for (int i = 0; i < layers.size(); i++) {
                ShardedUnit unit = layers.get(i);
                unit.gather(group);
                inputs.add(x);
                seed(seeds, 1 + i);
                x = model.layer(i, x, context);
                unit.release();
              }
              return x;
            });
    try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      outer.gather(group);
      outer.openGradients();
      NDArray lastIn = leaf(last);
      double loss = head(batch, lastIn, scale, seeds);
      NDArray upstream = lastIn.getGradient();
      outer.release();
      for (int i = layers.size() - 1; i >= 0; i--) {
        ShardedUnit unit = layers.get(i);
        unit.gather(group);
        unit.openGradients();
        NDArray in = leaf(inputs.get(i));
        seed(seeds, 1 + i);
        backward(model.layer(i, in, context), upstream);
        upstream = in.getGradient();
        unit.closeGradients(group);
        unit.release();
      }
      outer.gather(group);
      NDArray embedded = embed.apply(batch);
      if (Aten.requiresGrad(embedded)) {
        backward(embedded, upstream);
      }
      outer.closeGradients(group);
      outer.release();
      return loss;
    }
  }

  /** Final norm, lm_head and the loss sum; backward of loss * scale from there. */
  private double head(BatchTensors batch, NDArray last, NDArray scale, IntUnaryOperator seeds) {
    seed(seeds, 0);
    NDArray sum = CausalLmLoss.sum(model, model.finalNorm(last), batch.labels());
    double loss = sum.getFloat();
    backward(sum, scale);
    return loss;
  }

  /** x cut from its graph as a new leaf that collects its gradient. */
  private static NDArray leaf(NDArray x) {
    NDArray leaf = x.stopGradient();
    leaf.setRequiresGradient(true);
    return leaf;
  }

  private static void backward(NDArray output, NDArray upstream) {
    JniUtils.backward((PtNDArray) output, (PtNDArray) upstream, false, false);
  }

  private static void seed(IntUnaryOperator seeds, int unit) {
    Engine.getEngine("PyTorch").setRandomSeed(seeds.applyAsInt(unit));
  }
}
