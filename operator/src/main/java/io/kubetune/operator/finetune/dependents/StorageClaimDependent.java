package io.kubetune.operator.finetune.dependents;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.FineTuneJobReconciler;
import io.kubetune.operator.finetune.StorageClaim;
import io.kubetune.operator.owned.TakeBack;
import java.util.Map;

/**
 * The PersistentVolumeClaim {@code <job>-storage}, when spec.storage.claimTemplate asks for one.
 * Created once and never updated (a claim's spec is immutable but for its size, which may be grown
 * by hand); owned by the job. A claim whose labels were edited so that the informer no longer sees
 * it gets the operator's labels back.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class StorageClaimDependent
    extends KubernetesDependentResource<PersistentVolumeClaim, FineTuneJob>
    implements Creator<PersistentVolumeClaim, FineTuneJob>, GarbageCollected<FineTuneJob> {

  @Override
  protected PersistentVolumeClaim desired(FineTuneJob job, Context<FineTuneJob> context) {
    return StorageClaim.build(job);
  }

  @Override
  public PersistentVolumeClaim create(
      PersistentVolumeClaim desired, FineTuneJob primary, Context<FineTuneJob> context) {
    return TakeBack.create(
        desired,
        primary,
        context,
        () -> super.create(desired, primary, context),
        existing ->
            context
                .getClient()
                .resource(existing)
                .patch(
                    new PatchContext.Builder()
                        .withPatchType(PatchType.JSON_MERGE)
                        .withFieldManager(FineTuneJobReconciler.NAME)
                        .build(),
                    Serialization.asJson(
                        Map.of("metadata", Map.of("labels", desired.getMetadata().getLabels())))));
  }
}
