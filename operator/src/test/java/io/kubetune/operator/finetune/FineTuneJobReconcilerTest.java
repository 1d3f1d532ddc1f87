package io.kubetune.operator.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.api.DatasetSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobSpec;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator, started by Quarkus against the Fabric8 mock API server, reacts to FineTuneJobs. */
@QuarkusTest
@WithKubernetesTestServer
class FineTuneJobReconcilerTest {

  private static final String NS = "team-a";

  @Inject KubernetesClient client;

  static FineTuneJob job(String name, String modelSource) {
    FineTuneJob job = new FineTuneJob();
    job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    job.setSpec(
        new FineTuneJobSpec(
            new ModelSource(modelSource, null),
            List.of(new DatasetSpec("pvc://data/identity.jsonl", null, null, null, null)),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null));
    return job;
  }

  @Test
  void validJobIsAcceptedInItsStatus() {
    client.resource(job("qwen-lora", "pvc://models/qwen2-0.5b")).create();

    Condition accepted = awaitCondition("qwen-lora");

    assertThat(accepted.getStatus()).isEqualTo("True");
    assertThat(accepted.getReason()).isEqualTo("SpecValid");
    FineTuneJob fresh =
        client.resources(FineTuneJob.class).inNamespace(NS).withName("qwen-lora").get();
    assertThat(fresh.getStatus().phase()).isEqualTo("Pending");
    assertThat(fresh.getStatus().observedGeneration())
        .isEqualTo(fresh.getMetadata().getGeneration());
  }

  @Test
  void jobWithAnUnknownSchemeIsRefusedWithTheFieldName() {
    // the mock server does not enforce the CRD schema, so this reaches the reconciler
    client.resource(job("bad-scheme", "s3://bucket/model")).create();

    Condition accepted = awaitCondition("bad-scheme");

    assertThat(accepted.getStatus()).isEqualTo("False");
    assertThat(accepted.getReason()).isEqualTo("InvalidSpec");
    assertThat(accepted.getMessage()).contains("spec.model.source: unsupported scheme 's3'");
  }

  private Condition awaitCondition(String name) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              FineTuneJob j =
                  client.resources(FineTuneJob.class).inNamespace(NS).withName(name).get();
              return j.getStatus() == null || j.getStatus().conditions() == null
                  ? null
                  : j.getStatus().conditions().stream()
                      .filter(c -> c.getType().equals("Accepted"))
                      .findFirst()
                      .orElse(null);
            },
            c -> c != null);
  }
}
