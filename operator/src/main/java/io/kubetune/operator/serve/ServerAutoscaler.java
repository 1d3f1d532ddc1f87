package io.kubetune.operator.serve;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.AutoscalingSpec;
import io.kubetune.operator.crd.ModelServe;

/** The autoscaling/v2 HorizontalPodAutoscaler of the server Deployment (CPU utilisation). */
public final class ServerAutoscaler {
  private ServerAutoscaler() {}

  public static HorizontalPodAutoscaler build(ModelServe ms) {
    String name = ms.getMetadata().getName();
    AutoscalingSpec a = ms.getSpec().autoscaling();
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ms.getMetadata().getNamespace())
        .withLabels(Labels.server(name))
        .endMetadata()
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(name)
        .endScaleTargetRef()
        .withMinReplicas(a.effectiveMin())
        .withMaxReplicas(a.maxReplicas())
        .addNewMetric()
        .withType("Resource")
        .withNewResource()
        .withName("cpu")
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(a.effectiveTarget())
        .endTarget()
        .endResource()
        .endMetric()
        .endSpec()
        .build();
  }
}
