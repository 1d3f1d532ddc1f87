package io.kubetune.trainer.cli;

import io.kubetune.api.DistributedSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.dist.C10dGroup;
import io.kubetune.trainer.dist.C10dUnavailableException;
import io.kubetune.trainer.dist.Collectives;
import io.kubetune.trainer.dist.Rendezvous;
import io.kubetune.trainer.dist.SingleProcess;
import io.kubetune.trainer.error.KubetuneException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The torchrun-style environment of a rank (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT;
 * KUBETUNE_NPROC_PER_NODE and NODE_RANK for pods with several ranks), and joining the job's process
 * group from it.
 */
final class DistributedEnvironment {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedEnvironment.class);

  private DistributedEnvironment() {}

  /** Ranks to start on this node: KUBETUNE_NPROC_PER_NODE, else 1. */
  static int perNode(Map<String, String> env) {
    String v = env.get("KUBETUNE_NPROC_PER_NODE");
    try {
      return v == null || v.isBlank() ? 1 : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR, "KUBETUNE_NPROC_PER_NODE='" + v + "': not an integer");
    }
  }

  /** This rank's place, or a permanent error naming the variable that is wrong. */
  static Rendezvous rendezvous(Map<String, String> env) {
    try {
      return Rendezvous.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw new KubetuneException(TrainerExitCodes.CONFIG_ERROR, e.getMessage(), e);
    }
  }

  /**
   * The process group of the job: nothing for a world of one; else the Gloo group at MASTER_ADDR,
   * with the spec's timeouts. A collective that outlives the timeout by far (which c10d should have
   * prevented) ends the process with the retryable code rather than let it hang.
   */
  static Collectives join(Rendezvous r, DistributedSpec spec) {
    if (!r.distributed()) {
      return new SingleProcess();
    }
    try {
      C10dGroup[] group = new C10dGroup[1];
      group[0] =
          C10dGroup.join(
              r,
              Duration.ofSeconds(spec.timeoutSeconds()),
              Duration.ofSeconds(spec.joinTimeoutSeconds()),
              () -> {
                LOG.error("{}", group[0] == null ? "stuck" : group[0].diagnoseStuck());
                Runtime.getRuntime().halt(TrainerExitCodes.RETRYABLE);
              });
      return group[0];
    } catch (C10dUnavailableException e) {
      throw new KubetuneException(TrainerExitCodes.CONFIG_ERROR, e.getMessage(), e);
    }
  }
}
