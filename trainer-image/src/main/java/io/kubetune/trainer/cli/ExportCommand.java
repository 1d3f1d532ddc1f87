package io.kubetune.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a checkpoint out in HuggingFace layout. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export a checkpoint as hf/ (LoRA merged into the base weights) and adapter/ (PEFT layout)."
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

  @Override
  public Integer call() {
    throw NotImplemented.subcommand("export");
  }
}
