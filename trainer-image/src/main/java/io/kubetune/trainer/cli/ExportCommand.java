package io.kubetune.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.export.HfExporter;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.model.SdpaAttention;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.RunExport;
import io.kubetune.trainer.train.TrainableModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a checkpoint out in HuggingFace layout. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export a checkpoint as hf/ (LoRA merged into the base weights) and adapter/ (PEFT layout),"
          + " into the output folder. `kubetune train` does this at the end by itself."
    })
final class ExportCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "JOB_YAML",
      description = "The job spec the checkpoint was trained with.")
  Path jobFile;

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description = "Checkpoint to export (default: the newest in the output folder).")
  Path checkpoint;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Output folder (default: the spec's output.path).")
  Path output;

  @Override
  public Integer call() throws Exception {
    ResolvedJob job =
        new JobSpecLoader(SourceResolver.fromEnvironment(System.getenv())).load(jobFile);
    Path out = OutputFolder.of(output, job, jobFile);
    CheckpointStore store = new CheckpointStore(out, Integer.MAX_VALUE);
    Path dir = checkpoint != null ? checkpoint : store.latest().orElse(null);
    if (dir == null || !Files.isDirectory(dir)) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT, "no checkpoint to export in " + store.root());
    }
    CheckpointState state = store.state(dir);
    boolean full = job.spec().method().type() == MethodSpec.Type.FULL;
    Dtype weights = full ? Dtype.F32 : null;
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        Tokenizer tokenizer = Tokenizer.load(job.modelDir());
        LoadedModel loaded =
            ModelLoader.load(
                manager,
                job.modelDir(),
                new ModelLoader.Options(weights, Dtype.F32, new SdpaAttention()))) {
      TrainableModel model = TrainableModel.of(loaded.manager(), job.spec(), loaded.model());
      if (!state.trainableFingerprint().equals(model.fingerprint())) {
        throw new KubetuneException(
            TrainerExitCodes.CONFIG_ERROR,
            dir + " was not written by this job's method and model (" + state.method() + ")");
      }
      store.restore(dir, model.trainable(), loaded.manager());
      HfExporter.Result result = RunExport.export(job, out, loaded, model, tokenizer);
      System.out.println("exported step " + state.step() + " to " + result.hf());
      if (result.adapter() != null) {
        System.out.println("adapter: " + result.adapter());
      }
      return 0;
    }
  }
}
