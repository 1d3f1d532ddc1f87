package io.kubetune.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs a training job spec. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Fine-tune a model as job.yaml says; resumes from the newest checkpoint in the output"
          + " folder, and exports hf/ and adapter/ at the end.",
      "",
      "Exit codes: 0 done; 64 usage, 65 bad data, 66 missing input, 78 bad config (permanent);"
          + " 75 retryable (lost peer, preemption)."
    })
final class TrainCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "JOB_YAML",
      description = "The job spec (the training part of a FineTuneJob).")
  Path jobFile;

  @Override
  public Integer call() {
    throw NotImplemented.subcommand("train");
  }
}
