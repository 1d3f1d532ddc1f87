package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;

/** The ConfigMap {@code <job>-config} whose key job.yaml the trainer reads. */
public final class TrainingConfigMap {
  private TrainingConfigMap() {}

  public static ConfigMap build(FineTuneJob job) {
    TrainingNames names = new TrainingNames(job.getMetadata().getName());
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(names.configMap())
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(Labels.trainer(names.job()))
        .endMetadata()
        .addToData(TrainingConfig.KEY, TrainingConfig.render(job))
        .build();
  }
}
