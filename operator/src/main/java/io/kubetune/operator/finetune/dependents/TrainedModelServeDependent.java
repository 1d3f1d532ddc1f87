package io.kubetune.operator.finetune.dependents;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.finetune.TrainedModelServe;
import io.kubetune.operator.finetune.TrainingConfig;

/** The ModelServe that spec.serve asks for, created when training has succeeded. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TrainedModelServeDependent
    extends CRUDKubernetesDependentResource<ModelServe, FineTuneJob> {

  @Override
  protected ModelServe desired(FineTuneJob job, Context<FineTuneJob> context) {
    return TrainedModelServe.build(job, TrainingConfig.artifact(job));
  }
}
