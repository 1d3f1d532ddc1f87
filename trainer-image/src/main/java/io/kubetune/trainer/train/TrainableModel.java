package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.vision.ImageProcessor;
import io.kubetune.trainer.vision.LlavaModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model as the chosen method trains it: which tensors learn, and the model to run for training
 * (LoRA dropout on) and for sampling (dropout off).
 *
 * @param adapters null for full fine-tuning (and LLaVA's pretrain stage)
 * @param vision a LLaVA's image side (null for a text model); base is then its language model
 */
public record TrainableModel(
    MethodSpec.Type method,
    CausalLm base,
    LoraAdapters adapters,
    Map<String, NDArray> trainable,
    CausalLm trainingView,
    CausalLm evalView,
    VisionInputs vision) {

  /** A text model's method. */
  public TrainableModel(
      MethodSpec.Type method,
      CausalLm base,
      LoraAdapters adapters,
      Map<String, NDArray> trainable,
      CausalLm trainingView,
      CausalLm evalView) {
    this(method, base, adapters, trainable, trainingView, evalView, null);
  }

  /** The trainable tensors' name prefix for a LLaVA's projector and tower (llava-hf names). */
  public static final String PROJECTOR = "model.multi_modal_projector.";

  public static final String TOWER = "model.vision_tower.";

  /**
   * A LLaVA as the spec's stage trains it: pretrain, the projector alone; finetune, the projector
   * and the language model by the method (LoRA adapters, or every weight), plus the tower with
   * trainVisionTower.
   */
  public static TrainableModel ofLlava(
      NDManager manager, TrainingJobSpec spec, LlavaModel llava, ImageProcessor processor) {
    MethodSpec m = spec.method();
    boolean pretrain = m.effectiveStage() == MethodSpec.Stage.PRETRAIN;
    Map<String, NDArray> trainable = new LinkedHashMap<>();
    llava.projector().parameters().forEach((n, t) -> trainable.put(PROJECTOR + n, t));
    boolean tower = !pretrain && m.trainsVisionTower();
    if (tower) {
      llava.tower().parameters().forEach((n, t) -> trainable.put(TOWER + n, t));
    }
    CausalLm language = llava.language();
    VisionInputs vision = new VisionInputs(llava, processor, tower);
    if (pretrain) {
      trainable.values().forEach(p -> p.setRequiresGradient(true));
      return new TrainableModel(m.type(), language, null, trainable, language, language, vision);
    }
    TrainableModel text = of(manager, spec, language);
    trainable.values().forEach(p -> p.setRequiresGradient(true));
    trainable.putAll(text.trainable());
    return new TrainableModel(
        text.method(),
        language,
        text.adapters(),
        trainable,
        text.trainingView(),
        text.evalView(),
        vision);
  }

  /** The final-normed hidden states of a training batch (image features put in for a LLaVA). */
  NDArray trainingHidden(BatchTensors batch) {
    return trainingView.hiddenFromEmbeddings(
        trainingEmbeddings(batch), batch.positions(), batch.mask());
  }

  /**
   * The input embeddings [B, T, hidden] of a training batch: the token embeddings, with a LLaVA's
   * image features in place of its placeholders (the ZeRO engine runs the layers from here).
   */
  public NDArray trainingEmbeddings(BatchTensors batch) {
    return vision == null
        ? trainingView.embed(batch.inputIds())
        : vision.embed(trainingView, batch);
  }

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
