package io.kubetune.trainer.cli;

import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a model or adapter folder given on the command line before anything starts (a port bound,
 * libtorch loaded), so that a typo gets one line naming the option and the path.
 */
final class ModelFolder {
  private ModelFolder() {}

  /** A HuggingFace model folder: exists and holds config.json. */
  static void requireModel(String option, Path dir) {
    require(option, dir, "config.json", "a HuggingFace model folder");
  }

  /** A PEFT adapter folder, when one is given: exists and holds adapter_config.json. */
  static void requireAdapter(String option, Path dir) {
    if (dir != null) {
      require(option, dir, "adapter_config.json", "a PEFT adapter folder");
    }
  }

  private static void require(String option, Path dir, String marker, String what) {
    String where = option + " " + dir;
    if (!Files.exists(dir)) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT,
          where + ": no such folder (absolute: " + dir.toAbsolutePath().normalize() + ")");
    }
    if (!Files.isDirectory(dir)) {
      throw new KubetuneException(TrainerExitCodes.NO_INPUT, where + ": not a folder");
    }
    if (!Files.isRegularFile(dir.resolve(marker))) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT, where + ": not " + what + " (no " + marker + " in it)");
    }
  }
}
