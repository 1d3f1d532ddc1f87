package io.kubetune.operator.serve;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.crd.ModelServeSpec;
import io.kubetune.operator.crd.ModelServeStatus;
import io.kubetune.operator.crd.SpecReader;
import io.kubetune.operator.errors.OwnedFailure;
import io.kubetune.operator.errors.OwnedFailure.OwnedObject;
import io.kubetune.operator.events.EventRecorder;
import io.kubetune.operator.metrics.MetricsCleanup;
import io.kubetune.operator.metrics.SkippedResources;
import io.kubetune.operator.serve.dependents.AutoscalingEnabled;
import io.kubetune.operator.serve.dependents.ModelResolved;
import io.kubetune.operator.serve.dependents.ServerAutoscalerDependent;
import io.kubetune.operator.serve.dependents.ServerDeploymentDependent;
import io.kubetune.operator.serve.dependents.ServerServiceDependent;
import io.kubetune.operator.serve.dependents.SpecSet;
import io.kubetune.operator.status.Reporting;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * ModelServe -> Deployment ({@code kubetune serve}), Service and, with autoscaling, a
 * HorizontalPodAutoscaler. A ModelServe with fromFineTuneJob follows that job: it is reconciled
 * again when the job's status changes.
 */
@ControllerConfiguration(name = ModelServeReconciler.NAME)
@Workflow(
    dependents = {
      @Dependent(
          name = ModelServeReconciler.DEPLOYMENT,
          type = ServerDeploymentDependent.class,
          reconcilePrecondition = ModelResolved.class),
      @Dependent(
          name = ModelServeReconciler.SERVICE,
          type = ServerServiceDependent.class,
          reconcilePrecondition = SpecSet.class),
      @Dependent(
          name = ModelServeReconciler.AUTOSCALER,
          type = ServerAutoscalerDependent.class,
          reconcilePrecondition = AutoscalingEnabled.class)
    })
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
@RBACRule(apiGroups = "", resources = "namespaces", verbs = "get")
public class ModelServeReconciler implements Reconciler<ModelServe> {
  private static final Logger LOG = Logger.getLogger(ModelServeReconciler.class);

  public static final String NAME = "modelserve";
  static final String BY_JOB = "fromFineTuneJob";
  static final String DEPLOYMENT = "deployment";
  static final String SERVICE = "service";
  static final String AUTOSCALER = "autoscaler";

  @Inject EventRecorder events;
  @Inject SkippedResources skipped;
  @Inject SpecReader specs;

  @Override
  public List<EventSource<?, ModelServe>> prepareEventSources(
      EventSourceContext<ModelServe> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            BY_JOB,
            ms ->
                ms.getSpec() == null || ms.getSpec().fromFineTuneJob() == null
                    ? List.of()
                    : List.of(
                        ms.getMetadata().getNamespace() + "/" + ms.getSpec().fromFineTuneJob()));
    var config =
        InformerEventSourceConfiguration.from(FineTuneJob.class, ModelServe.class)
            .withSecondaryToPrimaryMapper(
                job ->
                    context
                        .getPrimaryCache()
                        .byIndex(
                            BY_JOB,
                            job.getMetadata().getNamespace() + "/" + job.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (ModelServe ms) ->
                    ms.getSpec() == null || ms.getSpec().fromFineTuneJob() == null
                        ? Set.of()
                        : Set.of(
                            new ResourceID(
                                ms.getSpec().fromFineTuneJob(), ms.getMetadata().getNamespace())))
            .build();
    return List.of(
        new InformerEventSource<>(config, context),
        new MetricsCleanup<ModelServe>(skipped::forget));
  }

  @Override
  public UpdateControl<ModelServe> reconcile(ModelServe ms, Context<ModelServe> context) {
    Optional<ModelResolver.Resolution> model = model(ms, context);
    if (model.isEmpty()) {
      return UpdateControl.noUpdate(); // the spec changed while it was read: the new one follows
    }
    return Reporting.statusPatch(ms, next(ms, context, model.get(), List.of()), ModelServe::new)
        .map(UpdateControl::patchStatus)
        .orElseGet(UpdateControl::noUpdate);
  }

  /** A refused Deployment, Service or autoscaler: see {@link Reporting#onError}. */
  @Override
  public ErrorStatusUpdateControl<ModelServe> updateErrorStatus(
      ModelServe ms, Context<ModelServe> context, Exception e) {
    Optional<ModelResolver.Resolution> model = model(ms, context);
    return Reporting.onError(
        ms,
        e,
        model.isEmpty() ? Optional.empty() : OwnedFailure.in(e, owned(ms, context)),
        failures -> next(ms, context, model.orElseThrow(), failures),
        ModelServe::new,
        LOG);
  }

  private ModelServeStatus next(
      ModelServe ms,
      Context<ModelServe> context,
      ModelResolver.Resolution model,
      List<OwnedFailure> failures) {
    ModelServeStatus next =
        ModelServeStatuses.compute(
            ms, model, context.getSecondaryResource(Deployment.class), failures, Instant.now());
    boolean invalid = ModelResolver.INVALID_SPEC.equals(model.reason());
    skipped.set(ms, invalid);
    if (!Objects.equals(ms.getStatus(), next)) {
      if (invalid) {
        LOG.warnf(
            "ModelServe %s/%s is skipped: %s",
            ms.getMetadata().getNamespace(), ms.getMetadata().getName(), model.message());
      }
      events.record(ms, ModelServeStatuses.events(ms.getStatus(), next));
    }
    return next;
  }

  /** Which model to serve, or why none; empty when the spec changed while it was read. */
  private Optional<ModelResolver.Resolution> model(ModelServe ms, Context<ModelServe> context) {
    if (ms.getSpec() == null) {
      return specs
          .problem(ms, ModelServeSpec.class)
          .map(p -> new ModelResolver.Resolution(null, ModelResolver.INVALID_SPEC, p, true));
    }
    return Optional.of(ModelResolver.resolve(ms, context.getSecondaryResource(FineTuneJob.class)));
  }

  static Map<String, OwnedObject> owned(ModelServe ms, Context<ModelServe> context) {
    ServingNames names = new ServingNames(ms.getMetadata().getName(), null);
    return Map.of(
        DEPLOYMENT,
        new OwnedObject(
            "Deployment",
            names.deployment(),
            context.getSecondaryResource(Deployment.class).isPresent()),
        SERVICE,
        new OwnedObject(
            "Service", names.service(), context.getSecondaryResource(Service.class).isPresent()),
        AUTOSCALER,
        new OwnedObject(
            "HorizontalPodAutoscaler",
            names.autoscaler(),
            context.getSecondaryResource(HorizontalPodAutoscaler.class).isPresent()));
  }
}
