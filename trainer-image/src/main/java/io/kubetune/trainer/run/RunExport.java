package io.kubetune.trainer.run;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.OutputSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.chat.GenerationDefaults;
import io.kubetune.trainer.chat.StopTokens;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.export.ExportRequest;
import io.kubetune.trainer.export.HfExporter;
import io.kubetune.trainer.export.LlavaExporter;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.vision.LlavaSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Exports a job's trained model: the chat template and stop tokens training used travel with it.
 * Shared by the end of {@code kubetune train} and by {@code kubetune export}.
 */
public final class RunExport {
  private RunExport() {}

  /** What {@link #fromCheckpoint} exported. */
  public record Exported(long step, HfExporter.Result result) {}

  /** The ids that end a reply for this job's template. */
  public static Set<Integer> stopTokens(ResolvedJob job, LoadedModel loaded, Tokenizer tokenizer)
      throws IOException {
    TrainingTemplate template = TrainingTemplate.of(job.spec(), tokenizer);
    return StopTokens.of(
        loaded.config(),
        GenerationDefaults.read(job.modelDir()),
        tokenizer,
        template.source(tokenizer));
  }

  /** Writes hf/ and adapter/ into outputDir from the model as it is now. */
  public static HfExporter.Result export(
      ResolvedJob job, Path outputDir, RunModel run, Tokenizer tokenizer) throws IOException {
    return export(job, outputDir, run, tokenizer, name -> {});
  }

  /**
   * The same, with beforeRead called before each tensor is read (ZeRO-3 brings the tensor's layer
   * in there).
   */
  public static HfExporter.Result export(
      ResolvedJob job,
      Path outputDir,
      RunModel run,
      Tokenizer tokenizer,
      java.util.function.Consumer<String> beforeRead)
      throws IOException {
    ExportRequest request = request(job, outputDir, run, tokenizer, beforeRead);
    if (run.model().vision() != null) {
      LlavaSource source = RunModel.llavaSource(job).orElseThrow();
      return LlavaExporter.export(
          request,
          new LlavaExporter.Parts(
              run.model().vision().llava(),
              source.config(),
              run.model().vision().processor().config(),
              source.addsImageToken()));
    }
    return HfExporter.export(request);
  }

  private static ExportRequest request(
      ResolvedJob job,
      Path outputDir,
      RunModel run,
      Tokenizer tokenizer,
      java.util.function.Consumer<String> beforeRead)
      throws IOException {
    return new ExportRequest(
        job.modelDir(),
        run.model().base(),
        run.model().adapters(),
        outputDir,
        TrainingTemplate.of(job.spec(), tokenizer).exportJinja(),
        stopTokens(job, run.loaded(), tokenizer),
        mergedDtype(job, run),
        // PEFT and transformers read a local path or a hub id here, never a URI
        job.modelDir().toAbsolutePath().normalize().toString(),
        beforeRead);
  }

  /** output.mergeDtype: the base model's dtype (default) or fp32. */
  static Dtype mergedDtype(ResolvedJob job, RunModel run) {
    OutputSpec output = job.spec().output();
    return output != null && output.effectiveMergeDtype() == OutputSpec.MergeDtype.FP32
        ? Dtype.F32
        : run.loaded().config().torchDtype();
  }

  /**
   * {@code kubetune export}: loads the job's model as training does, restores a checkpoint (the
   * newest in outputDir when checkpoint is null) and exports it into outputDir.
   *
   * @throws KubetuneException NO_INPUT when there is no such checkpoint
   */
  public static Exported fromCheckpoint(
      NDManager manager, ResolvedJob job, Path outputDir, Path checkpoint) throws IOException {
    CheckpointStore store = new CheckpointStore(outputDir, Integer.MAX_VALUE);
    Path dir = checkpoint != null ? checkpoint : store.latest().orElse(null);
    if (dir == null) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT, "no checkpoint to export in " + store.root());
    }
    if (!Files.isRegularFile(dir.resolve(CheckpointStore.STATE))) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT,
          "--checkpoint " + dir + ": not a checkpoint (no " + CheckpointStore.STATE + " in it)");
    }
    try (NDManager scope = manager.newSubManager();
        Tokenizer tokenizer = RunModel.tokenizer(job);
        RunModel run = RunModel.load(scope, job, tokenizer, store, Optional.of(dir))) {
      HfExporter.Result result = export(job, outputDir, run, tokenizer);
      return new Exported(run.restoredFrom().orElseThrow().state().step(), result);
    }
  }
}
