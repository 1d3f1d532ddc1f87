package io.kubetune.operator.serve;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
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
import io.kubetune.operator.crd.ModelServeStatus;
import io.kubetune.operator.events.EventRecorder;
import io.kubetune.operator.serve.dependents.AutoscalingEnabled;
import io.kubetune.operator.serve.dependents.ModelResolved;
import io.kubetune.operator.serve.dependents.ServerAutoscalerDependent;
import io.kubetune.operator.serve.dependents.ServerDeploymentDependent;
import io.kubetune.operator.serve.dependents.ServerServiceDependent;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * ModelServe -> Deployment ({@code kubetune serve}), Service and, with autoscaling, a
 * HorizontalPodAutoscaler. A ModelServe with fromFineTuneJob follows that job: it is reconciled
 * again when the job's status changes.
 */
@ControllerConfiguration(name = ModelServeReconciler.NAME)
@Workflow(
    dependents = {
      @Dependent(
          name = "deployment",
          type = ServerDeploymentDependent.class,
          reconcilePrecondition = ModelResolved.class),
      @Dependent(name = "service", type = ServerServiceDependent.class),
      @Dependent(
          name = "autoscaler",
          type = ServerAutoscalerDependent.class,
          reconcilePrecondition = AutoscalingEnabled.class)
    })
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
public class ModelServeReconciler implements Reconciler<ModelServe> {
  public static final String NAME = "modelserve";
  static final String BY_JOB = "fromFineTuneJob";

  @Inject EventRecorder events;

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
    return List.of(new InformerEventSource<>(config, context));
  }

  @Override
  public UpdateControl<ModelServe> reconcile(ModelServe ms, Context<ModelServe> context) {
    var model = ModelResolver.resolve(ms, context.getSecondaryResource(FineTuneJob.class));
    ModelServeStatus next =
        ModelServeStatuses.compute(
            ms, model, context.getSecondaryResource(Deployment.class), Instant.now());
    if (Objects.equals(ms.getStatus(), next)) {
      return UpdateControl.noUpdate();
    }
    events.record(ms, ModelServeStatuses.events(ms.getStatus(), next));
    ModelServe patch = new ModelServe();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(ms.getMetadata().getName())
            .withNamespace(ms.getMetadata().getNamespace())
            .build());
    patch.setStatus(next);
    return UpdateControl.patchStatus(patch);
  }
}
