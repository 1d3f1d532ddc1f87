package io.kubetune.trainer.run;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingSpec;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.model.SdpaAttention;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.TrainableModel;
import io.kubetune.trainer.vision.ImageProcessor;
import io.kubetune.trainer.vision.LlavaSource;
import io.kubetune.trainer.vision.LoadedLlava;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A job's model as its method trains it, loaded the same way by {@code kubetune train} (to train or
 * resume) and {@code kubetune export} (to export a checkpoint), so that both see the same weights
 * and refuse the same mismatched checkpoints with the same message.
 *
 * @param restoredFrom the checkpoint whose trainable tensors were copied in, if one was given
 */
public record RunModel(LoadedModel loaded, TrainableModel model, Optional<Restored> restoredFrom)
    implements AutoCloseable {

  /** A checkpoint that was restored and what it says. */
  public record Restored(Path dir, CheckpointState state) {}

  /**
   * Loads the job's base model in the dtypes its method and precision ask for (full fine-tuning
   * keeps fp32 master weights; LoRA keeps the frozen base in the compute dtype), checks that the
   * tokenizer fits it, sets up the method and, when a checkpoint is given, checks that it was
   * written for this model and method and copies its trainable tensors in. The optimizer's moments
   * are left for the caller that trains ({@link CheckpointStore#moments}).
   *
   * @param manager owns the method's new tensors (LoRA adapters)
   * @throws KubetuneException CONFIG_ERROR when the method cannot be set up on this model, the
   *     tokenizer does not fit it, or the checkpoint belongs to another model or method
   */
  public static RunModel load(
      NDManager manager,
      ResolvedJob job,
      Tokenizer tokenizer,
      CheckpointStore store,
      Optional<Path> checkpoint)
      throws IOException {
    return load(manager, job, tokenizer, store, checkpoint, false);
  }

  /**
   * @param sharded the trainable weights are about to be sharded (ZeRO-3 over several ranks), which
   *     keeps its own fp32 copy of just its shard: full fine-tuning then maps the weights as stored
   *     rather than converting the whole model to fp32 on every rank (the restored values are read
   *     again, in fp32, by the engine)
   */
  public static RunModel load(
      NDManager manager,
      ResolvedJob job,
      Tokenizer tokenizer,
      CheckpointStore store,
      Optional<Path> checkpoint,
      boolean sharded)
      throws IOException {
    TrainingJobSpec spec = job.spec();
    Dtype compute =
        spec.training().precision() == TrainingSpec.Precision.BF16 ? Dtype.BF16 : Dtype.F32;
    boolean full = spec.method().type() == MethodSpec.Type.FULL;
    Dtype weights = full ? (sharded ? null : Dtype.F32) : compute;
    ModelLoader.Options options = new ModelLoader.Options(weights, compute, new SdpaAttention());
    Optional<LlavaSource> llava = llavaSource(job);
    LoadedModel loaded;
    LoadedLlava loadedLlava = null;
    if (llava.isPresent()) {
      loadedLlava = llava.get().load(manager, options, spec.training().seed());
      loaded = loadedLlava.language();
    } else {
      if (spec.method().stage() != null || spec.method().trainsVisionTower()) {
        throw new KubetuneException(
            TrainerExitCodes.CONFIG_ERROR,
            "method.stage: "
                + job.modelDir()
                + " has no vision tower (not a llava-hf folder, and model.visionTower is not set)");
      }
      loaded = ModelLoader.load(manager, job.modelDir(), options);
    }
    try {
      checkVocabulary(tokenizer, loaded);
      TrainableModel model =
          loadedLlava == null
              ? trainable(manager, spec, loaded)
              : TrainableModel.ofLlava(
                  manager, spec, loadedLlava.model(), new ImageProcessor(loadedLlava.processor()));
      Optional<Restored> restored = Optional.empty();
      if (checkpoint.isPresent()) {
        Path dir = checkpoint.get();
        CheckpointState state = store.state(dir);
        if (!state.trainableFingerprint().equals(model.fingerprint())) {
          throw new KubetuneException(
              TrainerExitCodes.CONFIG_ERROR,
              dir
                  + " was written by a run with a different method or model ("
                  + state.method()
                  + ") than this job's ("
                  + spec.method().type().name().toLowerCase(Locale.ROOT)
                  + " on "
                  + job.modelDir()
                  + "); train into a new output folder, or export with the job spec it was"
                  + " trained with");
        }
        store.restoreTrainable(dir, model.trainable(), manager);
        restored = Optional.of(new Restored(dir, state));
      }
      return new RunModel(loaded, model, restored);
    } catch (IOException | RuntimeException e) {
      loaded.close();
      throw e;
    }
  }

  /**
   * The job's LLaVA (a llava-hf model.source, or model.source with model.visionTower), or empty for
   * a text model.
   *
   * @throws KubetuneException CONFIG_ERROR when the folders do not make a LLaVA
   */
  public static Optional<LlavaSource> llavaSource(ResolvedJob job) {
    try {
      return LlavaSource.of(
          job.modelDir(),
          job.visionTowerDir().orElse(null),
          job.spec().model().padImagesToSquare());
    } catch (IOException e) {
      throw new KubetuneException(TrainerExitCodes.CONFIG_ERROR, e.getMessage(), e);
    }
  }

  /** The job's tokenizer: the model's, with {@code <image>} added for a new LLaVA. */
  public static Tokenizer tokenizer(ResolvedJob job) throws IOException {
    Optional<LlavaSource> llava = llavaSource(job);
    return llava.isPresent() ? llava.get().tokenizer() : Tokenizer.load(job.modelDir());
  }

  private static TrainableModel trainable(
      NDManager manager, TrainingJobSpec spec, LoadedModel loaded) {
    try {
      return TrainableModel.of(manager, spec, loaded.model());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      throw new KubetuneException(TrainerExitCodes.CONFIG_ERROR, e.getMessage(), e);
    }
  }

  private static void checkVocabulary(Tokenizer tokenizer, LoadedModel loaded) {
    if (tokenizer.vocabSize() > loaded.config().vocabSize()) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR,
          "the tokenizer has "
              + tokenizer.vocabSize()
              + " tokens but the model's vocab_size is "
              + loaded.config().vocabSize());
    }
  }

  @Override
  public void close() {
    loaded.close();
  }
}
