package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobSpec;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.crd.SpecReader;
import io.kubetune.operator.errors.OwnedFailure;
import io.kubetune.operator.errors.OwnedFailure.OwnedObject;
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
import io.kubetune.operator.metrics.SkippedResources;
import io.kubetune.operator.pods.PodTrouble;
import io.kubetune.operator.status.Conditions;
import io.kubetune.operator.status.Reporting;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * FineTuneJob -> ConfigMap, headless Service, PVC (templated storage), Indexed Job and, after
 * success with spec.serve, a ModelServe. The workflow keeps those objects as the spec wants them;
 * this class only writes the status (when it changed), Events and the per-job gauges, also when the
 * API server refuses an owned object ({@link #updateErrorStatus}).
 */
@ControllerConfiguration(name = FineTuneJobReconciler.NAME)
@Workflow(
    dependents = {
      @Dependent(
          name = FineTuneJobReconciler.CONFIG,
          type = TrainingConfigMapDependent.class,
          reconcilePrecondition = ValidSpec.class),
      @Dependent(
          name = FineTuneJobReconciler.WORKERS,
          type = WorkerServiceDependent.class,
          reconcilePrecondition = ValidSpec.class),
      @Dependent(
          name = FineTuneJobReconciler.STORAGE,
          type = StorageClaimDependent.class,
          reconcilePrecondition = StorageTemplated.class),
      @Dependent(
          name = FineTuneJobReconciler.JOB,
          type = TrainingJobDependent.class,
          dependsOn = {FineTuneJobReconciler.CONFIG, FineTuneJobReconciler.WORKERS}),
      @Dependent(
          name = FineTuneJobReconciler.SERVE,
          type = TrainedModelServeDependent.class,
          reconcilePrecondition = ServeAfterSuccess.class)
    })
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
@RBACRule(
    apiGroups = "",
    resources = "pods",
    verbs = {"get", "list", "watch"})
@RBACRule(apiGroups = "", resources = "namespaces", verbs = "get")
public class FineTuneJobReconciler implements Reconciler<FineTuneJob> {
  private static final Logger LOG = Logger.getLogger(FineTuneJobReconciler.class);

  public static final String NAME = "finetunejob";
  static final String CONFIG = "config";
  static final String WORKERS = "workers";
  static final String STORAGE = "storage";
  static final String JOB = "job";
  static final String SERVE = "serve";

  @Inject ProgressPoller progress;
  @Inject EventRecorder events;
  @Inject JobMetrics metrics;
  @Inject SkippedResources skipped;
  @Inject SpecReader specs;

  @Override
  public List<EventSource<?, FineTuneJob>> prepareEventSources(
      EventSourceContext<FineTuneJob> context) {
    return List.of(
        progress.eventSource(context),
        TrainerPods.eventSource(context),
        new MetricsCleanup<FineTuneJob>(
            job -> {
              metrics.remove(job.getMetadata().getNamespace(), job.getMetadata().getName());
              skipped.forget(job);
            }));
  }

  @Override
  public UpdateControl<FineTuneJob> reconcile(FineTuneJob job, Context<FineTuneJob> context) {
    Optional<List<String>> problems = specProblems(job);
    if (problems.isEmpty()) {
      return UpdateControl.noUpdate(); // the spec changed while it was read: the new one follows
    }
    FineTuneJobStatus next = next(job, context, problems.get(), List.of());
    UpdateControl<FineTuneJob> control =
        Reporting.statusPatch(job, next, FineTuneJob::new)
            .map(UpdateControl::patchStatus)
            .orElseGet(UpdateControl::noUpdate);
    // a job that has just failed while its Job's pods could not start must lose that Job (JobPlan
    // DELETE), which the next reconciliation does once the Failed phase is stored; the status
    // patch itself is no event (generation-aware filtering), so ask for that reconciliation
    return failedJustNow(job, next) && context.getSecondaryResource(Job.class).isPresent()
        ? control.rescheduleAfter(Duration.ofSeconds(1))
        : control;
  }

  private static boolean failedJustNow(FineTuneJob job, FineTuneJobStatus next) {
    String before = job.getStatus() == null ? null : job.getStatus().phase();
    return FineTuneJobStatuses.FAILED.equals(next.phase())
        && !FineTuneJobStatuses.FAILED.equals(before);
  }

  /**
   * An owned object the API server refused: the status and an Event say which and why (the Created
   * condition; Failed when only a spec change can help), without a stack trace. A refusal that may
   * pass (quota, conflict, an unavailable server) is tried again, less often the longer it lasts.
   * In a namespace being deleted there is nothing left to do. Anything else is a bug of ours and
   * gets the SDK's usual handling.
   */
  @Override
  public ErrorStatusUpdateControl<FineTuneJob> updateErrorStatus(
      FineTuneJob job, Context<FineTuneJob> context, Exception e) {
    Optional<List<OwnedFailure>> failures = OwnedFailure.in(e, owned(job, context));
    return Reporting.onError(
        job,
        e,
        failures,
        f -> next(job, context, specProblems(job).orElse(List.of()), f),
        FineTuneJob::new,
        LOG);
  }

  private FineTuneJobStatus next(
      FineTuneJob job,
      Context<FineTuneJob> context,
      List<String> problems,
      List<OwnedFailure> failures) {
    var observed =
        new FineTuneJobStatuses.Observed(
            context.getSecondaryResource(Job.class),
            context.getSecondaryResource(TrainingProgress.class),
            context.getSecondaryResource(ModelServe.class),
            problems,
            failures,
            PodTrouble.of(context.getSecondaryResources(Pod.class)));
    FineTuneJobStatus next = FineTuneJobStatuses.compute(job, observed, Instant.now());
    metrics.record(job.getMetadata().getNamespace(), job.getMetadata().getName(), next.progress());
    skipped.set(job, !problems.isEmpty());
    if (!Objects.equals(job.getStatus(), next)) {
      String why = String.join("; ", problems);
      if (!problems.isEmpty() && !why.equals(failedMessage(job.getStatus()))) {
        LOG.warnf(
            "FineTuneJob %s/%s is skipped: %s",
            job.getMetadata().getNamespace(), job.getMetadata().getName(), why);
      }
      events.record(job, TransitionEvents.between(job, job.getStatus(), next));
    }
    return next;
  }

  private static String failedMessage(FineTuneJobStatus status) {
    return status == null
        ? null
        : Conditions.find(status.conditions(), FineTuneJobStatuses.FAILED)
            .map(c -> c.getMessage())
            .orElse(null);
  }

  /**
   * What is wrong with the spec: the CRD's own rules (a job stored before they were tightened), or
   * why the operator could not read it; empty when that cannot be told now.
   */
  private Optional<List<String>> specProblems(FineTuneJob job) {
    if (job.getSpec() != null) {
      return Optional.of(SchemaCheck.problems(job));
    }
    return specs.problem(job, FineTuneJobSpec.class).map(List::of);
  }

  /** The workflow's dependents, by name, and what each manages. */
  static Map<String, OwnedObject> owned(FineTuneJob job, Context<FineTuneJob> context) {
    TrainingNames names = new TrainingNames(job.getMetadata().getName());
    return Map.of(
        CONFIG,
        new OwnedObject(
            "ConfigMap",
            names.configMap(),
            context.getSecondaryResource(ConfigMap.class).isPresent()),
        WORKERS,
        new OwnedObject(
            "Service", names.service(), context.getSecondaryResource(Service.class).isPresent()),
        STORAGE,
        new OwnedObject(
            "PersistentVolumeClaim",
            names.storageClaim(),
            context.getSecondaryResource(PersistentVolumeClaim.class).isPresent()),
        JOB,
        new OwnedObject(
            "Job", names.trainingJob(), context.getSecondaryResource(Job.class).isPresent()),
        SERVE,
        new OwnedObject(
            "ModelServe",
            names.modelServe(),
            context.getSecondaryResource(ModelServe.class).isPresent()));
  }
}
