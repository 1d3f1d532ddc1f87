package io.kubetune.operator.finetune.dependents;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.StorageClaim;

/** The claim is created only when spec.storage.claimTemplate is set. */
public class StorageTemplated implements Condition<PersistentVolumeClaim, FineTuneJob> {
  @Override
  public boolean isMet(
      DependentResource<PersistentVolumeClaim, FineTuneJob> dependent,
      FineTuneJob job,
      Context<FineTuneJob> context) {
    return StorageClaim.templated(job);
  }
}
