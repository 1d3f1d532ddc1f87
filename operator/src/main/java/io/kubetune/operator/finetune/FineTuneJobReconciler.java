package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.events.EventRecorder;
import io.kubetune.operator.finetune.dependents.ServeAfterSuccess;
import io.kubetune.operator.finetune.dependents.StorageClaimDependent;
import io.kubetune.operator.finetune.dependents.StorageTemplated;
import io.kubetune.operator.finetune.dependents.TrainedModelServeDependent;
import io.kubetune.operator.finetune.dependents.TrainingConfigMapDependent;
import io.kubetune.operator.finetune.dependents.TrainingJobDependent;
import io.kubetune.operator.finetune.dependents.ValidSpec;
import io.kubetune.operator.finetune.dependents.WorkerServiceDependent;
import io.kubetune.operator.finetune.progress.ProgressPoller;
import io.kubetune.operator.metrics.JobMetrics;
import io.kubetune.operator.metrics.MetricsCleanup;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * FineTuneJob -> ConfigMap, headless Service, PVC (templated storage), Indexed Job and, after
 * success with spec.serve, a ModelServe. The workflow keeps those objects as the spec wants them;
 * this class only writes the status (when it changed), Events and the per-job gauges.
 */
@ControllerConfiguration(name = FineTuneJobReconciler.NAME)
@Workflow(
    dependents = {
      @Dependent(
          name = "config",
          type = TrainingConfigMapDependent.class,
          reconcilePrecondition = ValidSpec.class),
      @Dependent(
          name = "workers",
          type = WorkerServiceDependent.class,
          reconcilePrecondition = ValidSpec.class),
      @Dependent(
          name = "storage",
          type = StorageClaimDependent.class,
          reconcilePrecondition = StorageTemplated.class),
      @Dependent(
          name = "job",
          type = TrainingJobDependent.class,
          dependsOn = {"config", "workers"}),
      @Dependent(
          name = "serve",
          type = TrainedModelServeDependent.class,
          reconcilePrecondition = ServeAfterSuccess.class)
    })
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
public class FineTuneJobReconciler implements Reconciler<FineTuneJob> {

  public static final String NAME = "finetunejob";

  @Inject ProgressPoller progress;
  @Inject EventRecorder events;
  @Inject JobMetrics metrics;

  @Override
  public List<EventSource<?, FineTuneJob>> prepareEventSources(
      EventSourceContext<FineTuneJob> context) {
    return List.of(progress.eventSource(context), new MetricsCleanup(metrics));
  }

  @Override
  public UpdateControl<FineTuneJob> reconcile(FineTuneJob job, Context<FineTuneJob> context) {
    var observed =
        new FineTuneJobStatuses.Observed(
            context.getSecondaryResource(Job.class),
            context.getSecondaryResource(TrainingProgress.class),
            context.getSecondaryResource(ModelServe.class),
            SchemaCheck.problems(job));
    FineTuneJobStatus next = FineTuneJobStatuses.compute(job, observed, Instant.now());
    metrics.record(job.getMetadata().getNamespace(), job.getMetadata().getName(), next.progress());
    if (Objects.equals(job.getStatus(), next)) {
      return UpdateControl.noUpdate();
    }
    events.record(job, TransitionEvents.between(job, job.getStatus(), next));
    FineTuneJob patch = new FineTuneJob();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(job.getMetadata().getName())
            .withNamespace(job.getMetadata().getNamespace())
            .build());
    patch.setStatus(next);
    return UpdateControl.patchStatus(patch);
  }
}
