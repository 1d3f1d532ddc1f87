package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.ClaimTemplate;
import io.kubetune.operator.crd.FineTuneJob;
import java.util.List;

/** The PersistentVolumeClaim made from spec.storage.claimTemplate. */
public final class StorageClaim {
  private StorageClaim() {}

  public static boolean templated(FineTuneJob job) {
    return job.getSpec() != null
        && job.getSpec().storage() != null
        && job.getSpec().storage().claimTemplate() != null;
  }

  public static PersistentVolumeClaim build(FineTuneJob job) {
    TrainingNames names = new TrainingNames(job.getMetadata().getName());
    ClaimTemplate t = job.getSpec().storage().claimTemplate();
    List<String> modes =
        t.accessModes() == null
            ? List.of("ReadWriteOnce")
            : t.accessModes().stream().map(ClaimTemplate.AccessMode::wireName).toList();
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(names.storageClaim())
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(Labels.trainer(names.job()))
        .endMetadata()
        .withNewSpec()
        .withAccessModes(modes)
        .withStorageClassName(t.storageClassName())
        .withNewResources()
        .addToRequests("storage", new Quantity(t.size()))
        .endResources()
        .endSpec()
        .build();
  }
}
