package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * How the ranks of a multi-process job (resources.nodes x gpusPerNode in a cluster, {@code kubetune
 * train --nproc N} on one machine) share the training state and wait for each other. A
 * single-process run ignores it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DistributedSpec(
    @Min(0)
        @Max(3)
        @JsonPropertyDescription(
            "ZeRO stage (default 2): 0 every rank holds all parameters, gradients and AdamW"
                + " moments, gradients are all-reduced; 1 the moments are sharded across ranks;"
                + " 2 the gradients too; 3 the parameters too, gathered layer by layer for forward"
                + " and backward (which recomputes each layer) and freed after use. Per-rank state"
                + " of full fine-tuning: about 16, 10, 7 and 16/N bytes per parameter for N ranks"
                + " at stages 0, 1, 2, 3.")
        Integer zeroStage,
    @Min(5)
        @Max(86400)
        @JsonPropertyDescription(
            "Seconds a collective operation may wait for a peer (default 300). A lost or hung"
                + " peer makes every other rank exit with code 75 (retryable) within this plus a"
                + " few seconds, naming the peer rank and the operation.")
        Integer timeoutSeconds,
    @Min(5)
        @Max(86400)
        @JsonPropertyDescription(
            "Seconds the ranks wait for each other at start-up (default 900: pods may start"
                + " minutes apart). Exit code 75 when a rank does not arrive.")
        Integer joinTimeoutSeconds) {

  public DistributedSpec {
    zeroStage = zeroStage == null ? 2 : zeroStage;
    timeoutSeconds = timeoutSeconds == null ? 300 : timeoutSeconds;
    joinTimeoutSeconds = joinTimeoutSeconds == null ? 900 : joinTimeoutSeconds;
  }

  public static DistributedSpec defaults() {
    return new DistributedSpec(null, null, null);
  }
}
