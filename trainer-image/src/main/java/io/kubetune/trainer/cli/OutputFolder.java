package io.kubetune.trainer.cli;

import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.error.KubetuneException;
import java.nio.file.Path;

/** Where a job's checkpoints and export go: --output, else the spec's output.path. */
final class OutputFolder {
  private OutputFolder() {}

  static Path of(Path override, ResolvedJob job, Path jobFile) {
    if (override != null) {
      return override;
    }
    return job.outputDir()
        .orElseThrow(
            () ->
                new KubetuneException(
                    TrainerExitCodes.CONFIG_ERROR,
                    jobFile + ": output.path is not set (set it, or pass --output DIR)"));
  }
}
