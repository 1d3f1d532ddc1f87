package io.kubetune.operator.finetune.dependents;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.kubetune.operator.Labels;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.FineTuneJobReconciler;
import io.kubetune.operator.finetune.JobPlan;
import io.kubetune.operator.finetune.TrainingJobs;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The Indexed batch/v1 Job. Its pod template is immutable, so {@link JobPlan} decides: create,
 * change only the mutable fields (suspend, backoffLimit, deadline, TTL), replace it while no pod
 * runs, or leave it; a finished Job is never recreated by itself.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TrainingJobDependent extends KubernetesDependentResource<Job, FineTuneJob>
    implements Creator<Job, FineTuneJob>, Updater<Job, FineTuneJob>, GarbageCollected<FineTuneJob> {
  private static final Logger LOG = Logger.getLogger(TrainingJobDependent.class);

  @Inject OperatorConfig config;

  @Override
  protected Job desired(FineTuneJob job, Context<FineTuneJob> context) {
    return TrainingJobs.build(job, config.trainer().image());
  }

  @Override
  protected ReconcileResult<Job> reconcile(
      FineTuneJob primary, Job actual, Context<FineTuneJob> context) {
    Job desired = getOrComputeDesired(context);
    JobPlan plan = JobPlan.decide(primary, actual, desired);
    return switch (plan) {
      case KEEP -> ReconcileResult.noOperation(actual);
      case CREATE -> ReconcileResult.resourceCreated(handleCreate(desired, primary, context));
      case UPDATE ->
          ReconcileResult.resourceUpdated(handleUpdate(actual, desired, primary, context));
      case REPLACE -> {
        LOG.infof(
            "replacing training Job %s/%s",
            actual.getMetadata().getNamespace(), actual.getMetadata().getName());
        context
            .getClient()
            .resource(actual)
            .withPropagationPolicy(DeletionPropagation.BACKGROUND)
            .delete();
        yield ReconcileResult.resourceCreated(handleCreate(desired, primary, context));
      }
    };
  }

  /**
   * Only the mutable fields (the pod template of a Job cannot change), with a merge patch that is
   * not tied to a resourceVersion: the Job controller keeps writing a running Job's status.
   */
  @Override
  public Job update(Job actual, Job desired, FineTuneJob primary, Context<FineTuneJob> context) {
    return context
        .getClient()
        .batch()
        .v1()
        .jobs()
        .inNamespace(actual.getMetadata().getNamespace())
        .withName(actual.getMetadata().getName())
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.JSON_MERGE)
                .withFieldManager(FineTuneJobReconciler.NAME)
                .build(),
            TrainingJobs.mutableFieldsPatch(desired));
  }
}
