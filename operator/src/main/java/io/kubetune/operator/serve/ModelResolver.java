package io.kubetune.operator.serve;

import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import java.util.Optional;

/** Which model a ModelServe serves: spec.model, or the artifact of spec.fromFineTuneJob. */
public final class ModelResolver {
  private ModelResolver() {}

  /** The outcome: a model URI, or why there is none yet. */
  public record Resolution(String model, String reason, String message, boolean failed) {
    public boolean resolved() {
      return model != null;
    }
  }

  public static final String INVALID_SPEC = "InvalidSpec";

  public static Resolution resolve(ModelServe ms, Optional<FineTuneJob> job) {
    var spec = ms.getSpec();
    if (spec == null) {
      return new Resolution(null, INVALID_SPEC, "spec: must be set", true);
    }
    if (spec.model() != null) {
      return new Resolution(spec.model(), "ModelSet", "serving " + spec.model(), false);
    }
    String name = spec.fromFineTuneJob();
    if (job.isEmpty()) {
      return new Resolution(
          null,
          "FineTuneJobNotFound",
          "FineTuneJob " + name + " does not exist in this namespace",
          false);
    }
    var status = job.get().getStatus();
    String phase = status == null ? null : status.phase();
    if ("Failed".equals(phase)) {
      return new Resolution(
          null, "FineTuneJobFailed", "FineTuneJob " + name + " failed: nothing to serve", true);
    }
    if (!"Succeeded".equals(phase) || status.artifact() == null) {
      return new Resolution(
          null,
          "WaitingForFineTuneJob",
          "FineTuneJob " + name + " has not succeeded yet (phase " + phase + ")",
          false);
    }
    return new Resolution(
        status.artifact().model(),
        "FromFineTuneJob",
        "serving " + status.artifact().model() + " from FineTuneJob " + name,
        false);
  }
}
