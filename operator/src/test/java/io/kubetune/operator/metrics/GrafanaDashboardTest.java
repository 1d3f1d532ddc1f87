package io.kubetune.operator.metrics;

import static io.kubetune.operator.support.Fixtures.LORA_SPEC;
import static io.kubetune.operator.support.Fixtures.job;
import static io.kubetune.operator.support.Fixtures.jobStatus;
import static io.kubetune.operator.support.Fixtures.progress;
import static io.kubetune.operator.support.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.operator.support.FakeTrainer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's operator panels (and its variables) query metrics that the operator's /q/metrics
 * really exports: names read from a live scrape while a job reports progress.
 */
@QuarkusTest
@WithKubernetesTestServer
class GrafanaDashboardTest {
  @Inject KubernetesClient client;
  @Inject FakeTrainer trainer;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  /**
   * The Java Operator SDK registers its failure counter at the first failed reconciliation; no
   * reconciliation fails here (the operator reports bad specs and refused objects in the status).
   */
  private static final Set<String> FIRST_FAILURE_ONLY = Set.of("reconciliations_failure_total");

  @Test
  void operatorPanelsQueryWhatTheOperatorExports() throws Exception {
    Set<String> wanted = GrafanaDashboard.metricsByExporter().get("operator");
    assertThat(wanted).containsAll(FIRST_FAILURE_ONLY);
    assertThat(wanted).contains("kubetune_finetunejob_loss", "kubetune_finetunejob_step");

    client.resource(job("dashboard", "qwen", LORA_SPEC)).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.resources(Job.class).inNamespace("dashboard").withName("qwen").get()
                    != null);
    trainer.report("dashboard", "qwen", progress(7, 70, 2.5, "training", null));
    jobStatus(client, "dashboard", "qwen", running(1));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(GrafanaDashboard.exported(scrape()))
                    .containsAll(
                        wanted.stream().filter(m -> !FIRST_FAILURE_ONLY.contains(m)).toList()));
  }

  private String scrape() throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
