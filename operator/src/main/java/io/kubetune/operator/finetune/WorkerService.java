package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headless Service that gives each trainer pod a DNS name, {@code <job>-<index>.<job>-workers},
 * from the moment it starts (publishNotReadyAddresses).
 */
public final class WorkerService {
  private WorkerService() {}

  public static Service build(FineTuneJob job) {
    TrainingNames names = new TrainingNames(job.getMetadata().getName());
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(names.service())
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(Labels.trainer(names.job()))
        .endMetadata()
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(selector(names.job()))
        .withPorts(
            new ServicePortBuilder()
                .withName("rendezvous")
                .withPort(TrainingPod.RENDEZVOUS_PORT)
                .withNewTargetPort(TrainingPod.RENDEZVOUS_PORT)
                .build(),
            new ServicePortBuilder()
                .withName("status")
                .withPort(TrainingProgress.PORT)
                .withNewTargetPort(TrainingProgress.PORT)
                .build())
        .endSpec()
        .build();
  }

  static Map<String, String> selector(String job) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(Labels.FINETUNEJOB, job);
    selector.put(Labels.COMPONENT, "trainer");
    return selector;
  }
}
