package io.kubetune.trainer.model;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The tensors a checkpoint must hold for a config: names (from the architecture) and shapes. */
public final class WeightLayout {
  /** A tensor the model needs. */
  public record Expected(String name, WeightRole role, int layer, Shape shape) {}

  private final Map<String, Expected> expected;
  private final boolean tolerateLmHead;

  private WeightLayout(Map<String, Expected> expected, boolean tolerateLmHead) {
    this.expected = expected;
    this.tolerateLmHead = tolerateLmHead;
  }

  public static WeightLayout of(ModelConfig c) {
    Architecture arch = c.architecture();
    long d = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    long f = c.intermediateSize();
    Map<String, Expected> out = new LinkedHashMap<>();
    add(out, arch, WeightRole.EMBED, 0, c.vocabSize(), d);
    for (int i = 0; i < c.numLayers(); i++) {
      add(out, arch, WeightRole.ATTN_NORM, i, d);
      if (arch.packedQkv()) {
        add(out, arch, WeightRole.QKV, i, q + 2 * kv, d);
        if (c.qkvBias()) {
          add(out, arch, WeightRole.QKV_BIAS, i, q + 2 * kv);
        }
      } else {
        add(out, arch, WeightRole.Q, i, q, d);
        add(out, arch, WeightRole.K, i, kv, d);
        add(out, arch, WeightRole.V, i, kv, d);
        if (c.qkvBias()) {
          add(out, arch, WeightRole.Q_BIAS, i, q);
          add(out, arch, WeightRole.K_BIAS, i, kv);
          add(out, arch, WeightRole.V_BIAS, i, kv);
        }
      }
      add(out, arch, WeightRole.O, i, d, q);
      add(out, arch, WeightRole.MLP_NORM, i, d);
      add(out, arch, WeightRole.GATE, i, f, d);
      add(out, arch, WeightRole.UP, i, f, d);
      add(out, arch, WeightRole.DOWN, i, d, f);
    }
    add(out, arch, WeightRole.FINAL_NORM, 0, d);
    if (!c.tieWordEmbeddings()) {
      add(out, arch, WeightRole.LM_HEAD, 0, c.vocabSize(), d);
    }
    return new WeightLayout(out, c.tieWordEmbeddings());
  }

  public Map<String, Expected> expected() {
    return expected;
  }

  /**
   * Problems with a checkpoint's tensors (name -> shape): missing, extra and wrongly shaped
   * tensors, each named. Empty when the checkpoint fits.
   */
  public List<String> problems(Map<String, Shape> actual, ModelConfig c) {
    List<String> problems = new ArrayList<>();
    for (Expected e : expected.values()) {
      Shape shape = actual.get(e.name());
      if (shape == null) {
        problems.add("missing tensor '" + e.name() + "' (expected shape " + e.shape() + ")");
      } else if (!shape.equals(e.shape())) {
        problems.add(
            "tensor '"
                + e.name()
                + "' has shape "
                + shape
                + ", but config.json implies "
                + e.shape());
      }
    }
    Set<String> extra = new TreeSet<>(actual.keySet());
    extra.removeAll(expected.keySet());
    extra.removeIf(n -> n.endsWith(".rotary_emb.inv_freq")); // a buffer older checkpoints saved
    if (tolerateLmHead) {
      extra.remove(c.architecture().tensorName(WeightRole.LM_HEAD, 0));
    }
    extra.forEach(n -> problems.add("unexpected tensor '" + n + "' for a " + describe(c)));
    return problems;
  }

  private static String describe(ModelConfig c) {
    return c.architecture().modelType()
        + " model with "
        + c.numLayers()
        + " layers"
        + (c.qkvBias() ? " and q/k/v biases" : " without q/k/v biases")
        + (c.tieWordEmbeddings() ? ", tied embeddings" : "");
  }

  private static void add(
      Map<String, Expected> out, Architecture arch, WeightRole role, int layer, long... dims) {
    String name = arch.tensorName(role, layer);
    out.put(name, new Expected(name, role, layer, new Shape(dims)));
  }
}
