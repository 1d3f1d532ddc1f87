package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.api.LoraSpec;
import io.kubetune.trainer.model.Architecture;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.Linear;
import io.kubetune.trainer.torch.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The LoRA adapters of a model: for each targeted linear layer (by PEFT's rule, a module whose name
 * is the target or ends with "." + target), a pair A [r, in], B [out, r]. A starts as PEFT's
 * Kaiming-uniform, B as zeros, so the adapted model starts equal to the base.
 */
public final class LoraAdapters {
  /** Llama-style target names, for architectures that name their projections differently. */
  private static final Map<Architecture, Map<String, String>> ALIASES =
      Map.of(
          Architecture.INTERNLM2,
          Map.of(
              "q_proj", "wqkv",
              "k_proj", "wqkv",
              "v_proj", "wqkv",
              "o_proj", "wo",
              "gate_proj", "w1",
              "up_proj", "w3",
              "down_proj", "w2"));

  /** One adapted layer's weights. */
  public record Pair(NDArray a, NDArray b) {}

  private final LoraSpec spec;
  private final Map<String, Pair> pairs;
  private final NDArray scaling;

  private LoraAdapters(LoraSpec spec, Map<String, Pair> pairs, NDArray scaling) {
    this.spec = spec;
    this.pairs = Collections.unmodifiableMap(pairs);
    this.scaling = scaling;
  }

  /** Fresh adapters for the spec's target modules, initialised from seed. */
  public static LoraAdapters create(NDManager manager, CausalLm model, LoraSpec spec, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Pair> pairs = new LinkedHashMap<>();
    for (String module : targetModules(model, spec)) {
      Linear linear = model.linears().get(module);
      long out = linear.weight().getShape().get(0);
      long in = linear.weight().getShape().get(1);
      double bound = 1.0 / Math.sqrt(in); // kaiming_uniform_(a=sqrt(5)) on [r, in]
      float[] a = new float[(int) (spec.r() * in)];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
      pairs.put(
          module,
          new Pair(
              Tensors.float32(manager, a, new Shape(spec.r(), in)), zeros(manager, out, spec.r())));
    }
    return new LoraAdapters(spec, pairs, scalingOf(manager, spec));
  }

  /** Adapters with given weights (a resumed checkpoint, or a reference), by module name. */
  public static LoraAdapters of(NDManager manager, LoraSpec spec, Map<String, Pair> pairs) {
    return new LoraAdapters(spec, new LinkedHashMap<>(pairs), scalingOf(manager, spec));
  }

  /** The modules the spec targets in this model, in model order. */
  public static List<String> targetModules(CausalLm model, LoraSpec spec) {
    Map<String, String> aliases = ALIASES.getOrDefault(model.config().architecture(), Map.of());
    Set<String> modules = new LinkedHashSet<>();
    List<String> shortNames = new ArrayList<>();
    for (String name : model.linears().keySet()) {
      shortNames.add(name.substring(name.lastIndexOf('.') + 1));
    }
    for (String target : spec.targetModules()) {
      List<String> matched = matches(model, target);
      if (matched.isEmpty() && aliases.containsKey(target)) {
        matched = matches(model, aliases.get(target));
      }
      if (matched.isEmpty()) {
        throw new IllegalArgumentException(
            "method.lora.targetModules: '"
                + target
                + "' matches no linear layer of this "
                + model.config().architecture().modelType()
                + " model (its layers: "
                + String.join(", ", new LinkedHashSet<>(shortNames))
                + ")");
      }
      modules.addAll(matched);
    }
    List<String> ordered = new ArrayList<>();
    for (String name : model.linears().keySet()) {
      if (modules.contains(name)) {
        ordered.add(name);
      }
    }
    return ordered;
  }

  private static List<String> matches(CausalLm model, String target) {
    List<String> out = new ArrayList<>();
    for (String name : model.linears().keySet()) {
      if (name.equals(target) || name.endsWith("." + target)) {
        out.add(name);
      }
    }
    return out;
  }

  public LoraSpec spec() {
    return spec;
  }

  /** Adapter weights by module name. */
  public Map<String, Pair> pairs() {
    return pairs;
  }

  /**
   * The trainable tensors under PEFT's saved names: {@code base_model.model.<module>.lora_A.weight}
   * and {@code ...lora_B.weight}.
   */
  public Map<String, NDArray> namedParameters() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    pairs.forEach(
        (module, pair) -> {
          out.put("base_model.model." + module + ".lora_A.weight", pair.a());
          out.put("base_model.model." + module + ".lora_B.weight", pair.b());
        });
    return out;
  }

  /** The base model with these adapters; dropout only when training. */
  public CausalLm applyTo(CausalLm base, boolean training) {
    double dropout = training ? spec.dropout() : 0.0;
    return base.mapLinears(
        (name, linear) -> {
          Pair pair = pairs.get(name);
          return pair == null
              ? linear
              : new LoraLinear(linear, pair.a(), pair.b(), scaling, dropout);
        });
  }

  /** The merged weight of one module: W + B A * alpha / r (in W's dtype is up to the caller). */
  public NDArray mergedWeight(String module, NDArray baseWeight) {
    Pair pair = pairs.get(module);
    if (pair == null) {
      return baseWeight;
    }
    NDArray delta = pair.b().matMul(pair.a()).mul(scaling);
    return io.kubetune.trainer.torch.Aten.to(baseWeight, io.kubetune.trainer.torch.Dtype.F32)
        .add(delta);
  }

  private static NDArray scalingOf(NDManager manager, LoraSpec spec) {
    return Tensors.scalar(manager, (float) spec.alpha() / spec.r());
  }

  private static NDArray zeros(NDManager manager, long rows, long cols) {
    return manager.zeros(new Shape(rows, cols));
  }
}
