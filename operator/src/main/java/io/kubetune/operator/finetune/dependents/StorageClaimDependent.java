package io.kubetune.operator.finetune.dependents;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.StorageClaim;

/**
 * The PersistentVolumeClaim {@code <job>-storage}, when spec.storage.claimTemplate asks for one.
 * Created once and never updated (a claim's spec is immutable but for its size); owned by the job.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class StorageClaimDependent
    extends KubernetesDependentResource<PersistentVolumeClaim, FineTuneJob>
    implements Creator<PersistentVolumeClaim, FineTuneJob>, GarbageCollected<FineTuneJob> {

  @Override
  protected PersistentVolumeClaim desired(FineTuneJob job, Context<FineTuneJob> context) {
    return StorageClaim.build(job);
  }
}
