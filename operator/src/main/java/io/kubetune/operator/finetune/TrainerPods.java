package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import java.util.Set;

/**
 * The training pods (the Job controller copies the operator's labels onto them), watched so that a
 * pod that cannot be scheduled or started shows in its FineTuneJob's status (PodTrouble). Read
 * only: the operator never creates or changes a pod.
 */
public final class TrainerPods {
  public static final String NAME = "trainer-pods";

  private TrainerPods() {}

  public static InformerEventSource<Pod, FineTuneJob> eventSource(
      EventSourceContext<FineTuneJob> context) {
    var config =
        InformerEventSourceConfiguration.from(Pod.class, FineTuneJob.class)
            .withName(NAME)
            .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=trainer")
            .withSecondaryToPrimaryMapper(
                pod -> {
                  String job = pod.getMetadata().getLabels().get(Labels.FINETUNEJOB);
                  return job == null
                      ? Set.of()
                      : Set.of(new ResourceID(job, pod.getMetadata().getNamespace()));
                })
            .build();
    return new InformerEventSource<>(config, context);
  }
}
