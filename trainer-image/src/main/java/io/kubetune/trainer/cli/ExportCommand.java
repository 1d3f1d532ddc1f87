package io.kubetune.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.run.RunExport;
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
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      RunExport.Exported exported = RunExport.fromCheckpoint(manager, job, out, checkpoint);
      System.out.println("exported step " + exported.step() + " to " + exported.result().hf());
      if (exported.result().adapter() != null) {
        System.out.println("adapter: " + exported.result().adapter());
      }
      return 0;
    }
  }
}
