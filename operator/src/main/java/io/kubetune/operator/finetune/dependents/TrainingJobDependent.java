package io.kubetune.operator.finetune.dependents;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.kubetune.operator.Labels;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.FineTuneJobReconciler;
import io.kubetune.operator.finetune.JobPlan;
import io.kubetune.operator.finetune.StorageClaim;
import io.kubetune.operator.finetune.TrainingJobs;
import io.kubetune.operator.owned.OwnedDependent;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The Indexed batch/v1 Job. Its pod template is immutable, so {@link JobPlan} decides: create (once
 * the job's claim exists), change only the mutable fields (suspend, backoffLimit, deadline, TTL,
 * parallelism, labels), replace it while no pod runs, delete it, or leave it; a finished Job is
 * never recreated by itself. Like every owned object, a Job hidden from the informer by a hand edit
 * of its labels is taken back, not duplicated.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TrainingJobDependent extends OwnedDependent<Job, FineTuneJob> {
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
    boolean claimReady =
        !StorageClaim.templated(primary)
            || context.getSecondaryResource(PersistentVolumeClaim.class).isPresent();
    JobPlan plan = JobPlan.decide(primary, actual, desired, claimReady);
    return switch (plan) {
      case KEEP -> ReconcileResult.noOperation(actual);
      case CREATE -> ReconcileResult.resourceCreated(handleCreate(desired, primary, context));
      case UPDATE ->
          ReconcileResult.resourceUpdated(handleUpdate(actual, desired, primary, context));
      case REPLACE -> {
        delete(actual, context, "replacing");
        yield ReconcileResult.resourceCreated(handleCreate(desired, primary, context));
      }
      case DELETE -> {
        delete(actual, context, "deleting");
        yield ReconcileResult.noOperation(actual);
      }
    };
  }

  private static void delete(Job actual, Context<FineTuneJob> context, String why) {
    LOG.infof(
        "%s training Job %s/%s",
        why, actual.getMetadata().getNamespace(), actual.getMetadata().getName());
    context
        .getClient()
        .resource(actual)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
  }

  /**
   * Only what may change on a Job (the pod template cannot), with a merge patch that is not tied to
   * a resourceVersion: the Job controller keeps writing a running Job's status.
   */
  @Override
  public Job update(Job actual, Job desired, FineTuneJob primary, Context<FineTuneJob> context) {
    desired.addOwnerReference(primary);
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
