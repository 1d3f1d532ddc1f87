package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.peft.LoraAdapters;
import java.util.Map;

/**
 * The model as the chosen method trains it: which tensors learn, and the model to run for training
 * (LoRA dropout on) and for sampling (dropout off).
 *
 * @param adapters null for full fine-tuning
 */
public record TrainableModel(
    MethodSpec.Type method,
    CausalLm base,
    LoraAdapters adapters,
    Map<String, NDArray> trainable,
    CausalLm trainingView,
    CausalLm evalView) {

  /** Sets up the spec's method on a loaded base model. */
  public static TrainableModel of(NDManager manager, TrainingJobSpec spec, CausalLm base) {
    MethodSpec.Type method = spec.method().type();
    return switch (method) {
      case FULL -> {
        base.baseParameters().values().forEach(p -> p.setRequiresGradient(true));
        yield new TrainableModel(method, base, null, base.baseParameters(), base, base);
      }
      case LORA -> {
        LoraAdapters adapters =
            LoraAdapters.create(manager, base, spec.method().lora(), spec.training().seed());
        yield withAdapters(method, base, adapters);
      }
      case QLORA ->
          throw new UnsupportedOperationException(
              "method.type qlora is not implemented in this build; use lora");
    };
  }

  /** LoRA with given adapters (fresh, or read from a checkpoint). */
  public static TrainableModel withAdapters(
      MethodSpec.Type method, CausalLm base, LoraAdapters adapters) {
    Map<String, NDArray> trainable = adapters.namedParameters();
    trainable.values().forEach(p -> p.setRequiresGradient(true));
    return new TrainableModel(
        method,
        base,
        adapters,
        trainable,
        adapters.applyTo(base, true),
        adapters.applyTo(base, false));
  }

  /** Names and shapes of the trainable tensors, to match checkpoints against. */
  public String fingerprint() {
    StringBuilder sb = new StringBuilder(method.name());
    trainable.forEach((n, t) -> sb.append(';').append(n).append(t.getShape()));
    return Integer.toHexString(sb.toString().hashCode());
  }

  public long trainableParameterCount() {
    return trainable.values().stream().mapToLong(t -> t.getShape().size()).sum();
  }
}
