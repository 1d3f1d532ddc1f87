package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Validates a FineTuneJob and reports the verdict as the Accepted condition. Creating the training
 * pods is not implemented in this version; the status says so instead of pretending.
 */
@ControllerConfiguration(name = FineTuneJobReconciler.NAME)
public class FineTuneJobReconciler implements Reconciler<FineTuneJob> {

  public static final String NAME = "finetunejob";

  @Override
  public UpdateControl<FineTuneJob> reconcile(FineTuneJob job, Context<FineTuneJob> context) {
    List<String> problems = SpecValidator.problems(job.getSpec());
    Condition accepted =
        problems.isEmpty()
            ? condition("True", "SpecValid", "the spec is valid; training is not yet scheduled")
            : condition("False", "InvalidSpec", String.join("; ", problems));
    FineTuneJobStatus desired =
        new FineTuneJobStatus(
            problems.isEmpty() ? "Pending" : "Failed",
            List.of(accepted),
            job.getMetadata().getGeneration());
    if (sameIgnoringTimestamps(job.getStatus(), desired)) {
      return UpdateControl.noUpdate();
    }
    FineTuneJob patch = new FineTuneJob();
    patch.setMetadata(job.getMetadata());
    patch.setStatus(desired);
    return UpdateControl.patchStatus(patch);
  }

  private static Condition condition(String status, String reason, String message) {
    return new ConditionBuilder()
        .withType("Accepted")
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(Instant.now().toString())
        .build();
  }

  private static boolean sameIgnoringTimestamps(FineTuneJobStatus current, FineTuneJobStatus want) {
    if (current == null || current.conditions() == null) {
      return false;
    }
    return Objects.equals(current.phase(), want.phase())
        && Objects.equals(current.observedGeneration(), want.observedGeneration())
        && current.conditions().size() == want.conditions().size()
        && current.conditions().stream()
            .allMatch(
                c ->
                    want.conditions().stream()
                        .anyMatch(
                            w ->
                                w.getType().equals(c.getType())
                                    && w.getStatus().equals(c.getStatus())
                                    && w.getReason().equals(c.getReason())
                                    && w.getMessage().equals(c.getMessage())));
  }
}
