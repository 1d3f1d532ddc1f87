package io.kubetune.operator.finetune.dependents;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.finetune.FineTuneJobStatuses;
import io.kubetune.operator.finetune.JobState;

/**
 * The ModelServe exists when spec.serve is set and training has succeeded (the Job completed, or
 * the status already says so after the Job was deleted by its TTL). Removing spec.serve deletes it.
 */
public class ServeAfterSuccess implements Condition<ModelServe, FineTuneJob> {
  @Override
  public boolean isMet(
      DependentResource<ModelServe, FineTuneJob> dependent,
      FineTuneJob job,
      Context<FineTuneJob> context) {
    if (job.getSpec() == null || job.getSpec().serve() == null) {
      return false;
    }
    boolean completed =
        context.getSecondaryResource(Job.class).map(j -> JobState.of(j).complete()).orElse(false);
    return completed
        || (job.getStatus() != null
            && FineTuneJobStatuses.SUCCEEDED.equals(job.getStatus().phase()));
  }
}
