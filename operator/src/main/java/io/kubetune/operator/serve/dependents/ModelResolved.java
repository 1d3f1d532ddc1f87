package io.kubetune.operator.serve.dependents;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.serve.ModelResolver;

/** The servers run only once the model is known (fromFineTuneJob: after the job succeeded). */
public class ModelResolved implements Condition<Deployment, ModelServe> {
  @Override
  public boolean isMet(
      DependentResource<Deployment, ModelServe> dependent,
      ModelServe ms,
      Context<ModelServe> context) {
    return ModelResolver.resolve(ms, context.getSecondaryResource(FineTuneJob.class)).resolved();
  }
}
