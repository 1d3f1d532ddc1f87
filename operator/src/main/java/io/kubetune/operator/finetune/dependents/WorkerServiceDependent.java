package io.kubetune.operator.finetune.dependents;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.WorkerService;
import io.kubetune.operator.owned.OwnedDependent;

/** The headless Service {@code <job>-workers} for the rendezvous. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class WorkerServiceDependent extends OwnedDependent<Service, FineTuneJob> {

  @Override
  protected Service desired(FineTuneJob job, Context<FineTuneJob> context) {
    return WorkerService.build(job);
  }
}
