package io.kubetune.operator.finetune;

import static io.kubetune.operator.support.Fixtures.LORA_SPEC;
import static io.kubetune.operator.support.Fixtures.job;
import static io.kubetune.operator.support.Fixtures.jobStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.status.Conditions;
import io.kubetune.operator.support.Cluster;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A trainer pod that cannot be scheduled or started (issue 11, defect 5) shows in the job's
 * conditions and Events with the scheduler's or kubelet's reason; an invalid image name, which
 * nothing but a spec change can fix, fails the job at once. The pods are played by hand, as the Job
 * controller, scheduler and kubelet would leave them.
 */
@QuarkusTest
@WithKubernetesTestServer
class PodTroubleTest {
  @Inject KubernetesClient client;

  @Test
  void aMissingClaimShowsAsUnschedulableWithTheSchedulersMessage() {
    Cluster cluster = start("pods-claim");
    pod(
        "pods-claim",
        new PodStatusBuilder()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage(
                "0/3 nodes are available: persistentvolumeclaim \"models\" not found."
                    + " preemption: 0/3 nodes are available: 3 Preemption is not helpful for"
                    + " scheduling.")
            .endCondition()
            .build());

    FineTuneJobStatus s =
        cluster.awaitJobStatus(
            "qwen", st -> "Unschedulable".equals(Conditions.reason(st.conditions(), "Running")));
    assertThat(s.phase()).isEqualTo("Pending");
    assertThat(Conditions.find(s.conditions(), "Running").orElseThrow().getMessage())
        .contains("qwen-0-x1")
        .contains("persistentvolumeclaim \"models\" not found");
    assertThat(cluster.awaitEvent("qwen", "Unschedulable").getType()).isEqualTo("Warning");
  }

  @Test
  void anImagePullErrorShowsAndTheJobWaits() {
    Cluster cluster = start("pods-pull");
    pod("pods-pull", waiting("ErrImagePull", "rpc error: pull access denied for kubetune/nope"));

    FineTuneJobStatus s =
        cluster.awaitJobStatus(
            "qwen", st -> "ErrImagePull".equals(Conditions.reason(st.conditions(), "Running")));
    assertThat(s.phase()).isEqualTo("Pending");
    assertThat(Conditions.find(s.conditions(), "Running").orElseThrow().getMessage())
        .contains("pull access denied");
    cluster.awaitEvent("qwen", "ErrImagePull");
  }

  @Test
  void anInvalidImageNameFailsTheJob() {
    Cluster cluster = start("pods-image");
    pod("pods-image", waiting("InvalidImageName", "Failed to apply default image tag \"UPPER:x\""));

    FineTuneJobStatus s = cluster.awaitJobStatus("qwen", st -> "Failed".equals(st.phase()));
    var failed = Conditions.find(s.conditions(), "Failed").orElseThrow();
    assertThat(failed.getReason()).isEqualTo("InvalidImageName");
    assertThat(failed.getMessage()).contains("UPPER:x");
    cluster.awaitEvent("qwen", "Failed");
    Awaitility.await()
        .atMost(Cluster.WAIT)
        .until(() -> cluster.get(Job.class, "qwen") == null); // a Failed job keeps no pods
  }

  private Cluster start(String ns) {
    client.resource(job(ns, "qwen", LORA_SPEC)).create();
    Cluster cluster = new Cluster(client, ns);
    cluster.awaitObject(Job.class, "qwen");
    jobStatus(client, ns, "qwen", b -> b.withActive(1).withReady(0));
    return cluster;
  }

  /** The Job's pod qwen-0-x1, as the Job controller labels it, with the given status. */
  private void pod(String ns, PodStatus status) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("qwen-0-x1")
            .withNamespace(ns)
            .withLabels(Labels.trainer("qwen"))
            .addToLabels("batch.kubernetes.io/job-name", "qwen")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName(TrainingPod.CONTAINER)
            .withImage("kubetune/trainer:0.1.0")
            .endContainer()
            .endSpec()
            .build();
    client.resource(pod).create();
    client
        .pods()
        .inNamespace(ns)
        .withName("qwen-0-x1")
        .editStatus(
            p -> {
              p.setStatus(status);
              return p;
            });
  }

  private static PodStatus waiting(String reason, String message) {
    return new PodStatusBuilder()
        .withPhase("Pending")
        .addNewCondition()
        .withType("PodScheduled")
        .withStatus("True")
        .endCondition()
        .addNewContainerStatus()
        .withName(TrainingPod.CONTAINER)
        .withReady(false)
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .endContainerStatus()
        .build();
  }
}
