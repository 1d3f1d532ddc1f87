package io.kubetune.trainer.cli;

import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import java.util.Map;

/** The torchrun-style rendezvous variables a multi-node job sets (WORLD_SIZE, RANK, ...). */
final class DistributedEnvironment {
  private DistributedEnvironment() {}

  /**
   * This build trains in one process: a job spread over several pods is refused clearly (a
   * permanent error) rather than trained several times over.
   */
  static void requireSingleProcess(Map<String, String> env) {
    String world = env.get("WORLD_SIZE");
    if (world != null && !world.isBlank() && Integer.parseInt(world.trim()) > 1) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR,
          "WORLD_SIZE="
              + world.trim()
              + ": multi-node training is not implemented in this build; set resources.nodes: 1");
    }
  }
}
