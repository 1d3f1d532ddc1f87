package io.kubetune.operator.serve.dependents;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.owned.OwnedDependent;
import io.kubetune.operator.serve.ServerAutoscaler;

/** The HorizontalPodAutoscaler, when spec.autoscaling is set. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServerAutoscalerDependent extends OwnedDependent<HorizontalPodAutoscaler, ModelServe> {

  @Override
  protected HorizontalPodAutoscaler desired(ModelServe ms, Context<ModelServe> context) {
    return ServerAutoscaler.build(ms);
  }
}
