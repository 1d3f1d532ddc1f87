package io.kubetune.operator.serve;

import static io.kubetune.operator.support.Fixtures.LORA_SPEC;
import static io.kubetune.operator.support.Fixtures.complete;
import static io.kubetune.operator.support.Fixtures.job;
import static io.kubetune.operator.support.Fixtures.jobStatus;
import static io.kubetune.operator.support.Fixtures.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.crd.ModelServeStatus;
import io.kubetune.operator.status.Conditions;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** ModelServes against the Fabric8 mock API server; Deployment status is played by hand. */
@QuarkusTest
@WithKubernetesTestServer
class ModelServeReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Inject KubernetesClient client;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @Test
  void servesAModelAndBecomesReady() {
    ModelServe created =
        client
            .resource(
                serve(
                    "ms-ready",
                    "chat",
                    """
                    model: pvc://runs/qwen/hf
                    replicas: 2
                    """))
            .create();
    Deployment d = awaitObject(Deployment.class, "ms-ready", "chat");
    Service s = awaitObject(Service.class, "ms-ready", "chat");
    for (HasMetadata owned : new HasMetadata[] {d, s}) {
      assertThat(owned.getMetadata().getOwnerReferences().get(0).getUid())
          .isEqualTo(created.getMetadata().getUid());
    }
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    assertThat(awaitStatus("ms-ready", "chat", st -> st.phase() != null).phase())
        .isEqualTo("Pending");
    assertThat(
            client
                .resources(HorizontalPodAutoscaler.class)
                .inNamespace("ms-ready")
                .list()
                .getItems())
        .isEmpty();

    client
        .apps()
        .deployments()
        .inNamespace("ms-ready")
        .withName("chat")
        .editStatus(
            x -> {
              x.setStatus(
                  new DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(2).build());
              return x;
            });
    ModelServeStatus ready = awaitStatus("ms-ready", "chat", st -> "Ready".equals(st.phase()));
    assertThat(ready.url()).isEqualTo("http://chat.ms-ready.svc/v1");
    assertThat(ready.readyReplicas()).isEqualTo(2);
    assertThat(ready.model()).isEqualTo("pvc://runs/qwen/hf");
    assertThat(Conditions.isTrue(ready.conditions(), "Ready")).isTrue();
    assertThat(ready.observedGeneration()).isEqualTo(1L);
  }

  @Test
  void autoscalingCreatesAnHpaAndLeavesReplicasToIt() {
    client
        .resource(
            serve(
                "ms-hpa",
                "chat",
                """
                model: pvc://runs/qwen/hf
                resources:
                  cpu: "4"
                autoscaling:
                  maxReplicas: 5
                """))
        .create();
    HorizontalPodAutoscaler hpa = awaitObject(HorizontalPodAutoscaler.class, "ms-hpa", "chat");
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("chat");
    assertThat(awaitObject(Deployment.class, "ms-hpa", "chat").getSpec().getReplicas()).isNull();
  }

  @Test
  void fromFineTuneJobWaitsForTheJobThenServesItsModel() {
    client.resource(job("ms-from", "qwen", LORA_SPEC)).create();
    client.resource(serve("ms-from", "chat", "fromFineTuneJob: qwen\n")).create();
    ModelServeStatus waiting = awaitStatus("ms-from", "chat", st -> st.conditions() != null);
    assertThat(Conditions.reason(waiting.conditions(), "ModelResolved"))
        .isEqualTo("WaitingForFineTuneJob");
    assertThat(client.apps().deployments().inNamespace("ms-from").withName("chat").get()).isNull();

    awaitObject(Job.class, "ms-from", "qwen");
    jobStatus(client, "ms-from", "qwen", complete());

    Deployment d = awaitObject(Deployment.class, "ms-from", "chat");
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsSequence("--model", "/mnt/pvc/qwen-storage/qwen/hf");
    assertThat(awaitStatus("ms-from", "chat", st -> st.model() != null).model())
        .isEqualTo("pvc://qwen-storage/qwen/hf");
  }

  @Test
  void reconcilerMetricsAreOnQMetrics() {
    client.resource(job("ms-metrics", "qwen", LORA_SPEC)).create();
    client.resource(serve("ms-metrics", "chat", "model: pvc://runs/qwen/hf\n")).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        HttpClient.newHttpClient()
                            .send(
                                HttpRequest.newBuilder(metrics).build(),
                                HttpResponse.BodyHandlers.ofString())
                            .body())
                    .contains("reconciliations_started_total{controller_name=\"finetunejob\"}")
                    .contains("reconciliations_started_total{controller_name=\"modelserve\"}"));
  }

  private <T extends HasMetadata> T awaitObject(Class<T> type, String ns, String name) {
    return await()
        .atMost(WAIT)
        .until(() -> client.resources(type).inNamespace(ns).withName(name).get(), o -> o != null);
  }

  private ModelServeStatus awaitStatus(
      String ns, String name, Predicate<ModelServeStatus> condition) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                client.resources(ModelServe.class).inNamespace(ns).withName(name).get().getStatus(),
            s -> s != null && condition.test(s));
  }
}
