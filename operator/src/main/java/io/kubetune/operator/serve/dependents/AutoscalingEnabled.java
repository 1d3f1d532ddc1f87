package io.kubetune.operator.serve.dependents;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.kubetune.operator.crd.ModelServe;

/** The autoscaler exists only while spec.autoscaling is set. */
public class AutoscalingEnabled implements Condition<HorizontalPodAutoscaler, ModelServe> {
  @Override
  public boolean isMet(
      DependentResource<HorizontalPodAutoscaler, ModelServe> dependent,
      ModelServe ms,
      Context<ModelServe> context) {
    return ms.getSpec() != null && ms.getSpec().autoscaling() != null;
  }
}
