package io.kubetune.operator.finetune.dependents;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.TrainingConfigMap;
import io.kubetune.operator.owned.OwnedDependent;

/** The ConfigMap {@code <job>-config} holding job.yaml. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TrainingConfigMapDependent extends OwnedDependent<ConfigMap, FineTuneJob> {

  @Override
  protected ConfigMap desired(FineTuneJob job, Context<FineTuneJob> context) {
    return TrainingConfigMap.build(job);
  }

  /**
   * Server-side apply like every other owned object (one field manager, "finetunejob"), whenever
   * the operator uses it ({@code quarkus.operator-sdk.enable-ssa}, off only in the test profile).
   * JOSDK leaves ConfigMaps and Secrets out by default ({@code defaultNonSSAResources}), which made
   * this the one object updated with PUT by the manager "fabric8-kubernetes-client"; this one has
   * plain string data only.
   */
  @Override
  protected boolean useSSA(Context<FineTuneJob> context) {
    return context
        .getControllerConfiguration()
        .getConfigurationService()
        .ssaBasedCreateUpdateMatchForDependentResources();
  }
}
