package io.kubetune.operator.crd;

import static io.kubetune.operator.support.Fixtures.LORA_SPEC;
import static io.kubetune.operator.support.Fixtures.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.operator.status.Conditions;
import io.kubetune.operator.support.Cluster;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Objects the operator cannot read (issue 11, defects 1 and 3): an int field beyond int32 (the API
 * server accepted it when the schema had no bound, and keeps it after bounds are added) and a
 * FineTuneJob or ModelServe without a spec. Some exist before the operator starts ({@link Stored}),
 * some are created while it runs. The mock server validates nothing, so they reach the operator as
 * they would from an API server with an older schema.
 */
@QuarkusTest
@WithKubernetesTestServer(setup = UnreadableObjectsTest.Stored.class)
class UnreadableObjectsTest {
  static final String NS = "unreadable";

  @Inject KubernetesClient client;

  @TestHTTPResource("/q/health/live")
  URI live;

  @TestHTTPResource("/q/health/ready")
  URI ready;

  /** Objects in the store before the operator starts. */
  public static class Stored implements Consumer<KubernetesServer> {
    @Override
    public void accept(KubernetesServer server) {
      KubernetesClient c = server.getClient();
      store(c, overflowing("stored-overflow", "training:\n  maxSteps: 3000000000\n"));
      store(c, specless("FineTuneJob", "stored-nospec"));
      store(c, specless("ModelServe", "stored-nospec-ms"));
    }
  }

  @Test
  void theOperatorStartsWithUnreadableObjectsStoredAndReconcilesTheOthers() {
    client.resource(job(NS, "control", LORA_SPEC)).create();
    Cluster cluster = new Cluster(client, NS);
    cluster.awaitObject(Job.class, "control");
    cluster.awaitJobStatus("control", s -> s.phase() != null);
    assertThat(Cluster.httpStatus(live)).as("liveness").isEqualTo(200);
    assertThat(Cluster.httpStatus(ready)).as("readiness").isEqualTo(200);
  }

  @Test
  void anIntegerBeyondInt32IsReportedOnTheObjectWithItsField() {
    Cluster cluster = new Cluster(client, NS);
    FineTuneJobStatus stored = cluster.awaitJobStatus("stored-overflow", s -> s.phase() != null);
    assertThat(stored.phase()).isEqualTo("Failed");
    var failed = Conditions.find(stored.conditions(), "Failed").orElseThrow();
    assertThat(failed.getReason()).isEqualTo("InvalidSpec");
    assertThat(failed.getMessage())
        .contains("spec.training.maxSteps")
        .contains("3000000000")
        .contains("out of range of int");
    cluster.awaitEvent("stored-overflow", "InvalidSpec");
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName("stored-overflow").get())
        .isNull();

    // created while the operator runs: the informer goes on, and so do other jobs
    store(client, overflowing("later-overflow", "ttlSecondsAfterFinished: 2147483648\n"));
    FineTuneJobStatus later = cluster.awaitJobStatus("later-overflow", s -> s.phase() != null);
    assertThat(Conditions.find(later.conditions(), "Failed").orElseThrow().getMessage())
        .contains("spec.ttlSecondsAfterFinished")
        .contains("2147483648");
    client.resource(job(NS, "after", LORA_SPEC)).create();
    cluster.awaitObject(Job.class, "after");
    assertThat(Cluster.httpStatus(live)).as("liveness").isEqualTo(200);
    assertThat(Cluster.httpStatus(ready)).as("readiness").isEqualTo(200);
  }

  @Test
  void aFineTuneJobWithoutSpecSaysSoAndOwnsNothing() {
    Cluster cluster = new Cluster(client, NS);
    for (String name : new String[] {"stored-nospec", "fresh-nospec"}) {
      if (name.startsWith("fresh")) {
        store(client, specless("FineTuneJob", name));
      }
      FineTuneJobStatus s = cluster.awaitJobStatus(name, st -> st.phase() != null);
      assertThat(s.phase()).as(name).isEqualTo("Failed");
      assertThat(Conditions.find(s.conditions(), "Failed").orElseThrow().getMessage())
          .contains("spec: must be set");
      cluster.awaitEvent(name, "InvalidSpec");
      assertThat(client.configMaps().inNamespace(NS).withName(name + "-config").get()).isNull();
    }
  }

  @Test
  void aModelServeWithoutSpecSaysSoAndOwnsNothing() {
    Cluster cluster = new Cluster(client, NS);
    for (String name : new String[] {"stored-nospec-ms", "fresh-nospec-ms"}) {
      if (name.startsWith("fresh")) {
        store(client, specless("ModelServe", name));
      }
      ModelServeStatus s = cluster.awaitServeStatus(name, st -> st.phase() != null);
      assertThat(s.phase()).as(name).isEqualTo("Failed");
      assertThat(Conditions.find(s.conditions(), "Ready").orElseThrow().getMessage())
          .contains("spec: must be set");
      cluster.awaitEvent(name, "InvalidSpec");
      assertThat(client.resources(Service.class).inNamespace(NS).withName(name).get()).isNull();
    }
  }

  static String overflowing(String name, String extraSpecYaml) {
    return """
        apiVersion: kubetune.io/v1alpha1
        kind: FineTuneJob
        metadata:
          name: %s
          namespace: %s
        spec:
        %s
        """
        .formatted(name, NS, (LORA_SPEC + extraSpecYaml).indent(2));
  }

  static String specless(String kind, String name) {
    return """
        apiVersion: kubetune.io/v1alpha1
        kind: %s
        metadata:
          name: %s
          namespace: %s
        """
        .formatted(kind, name, NS);
  }

  /** Stores the object as written: no Java type in between, no validation. */
  static void store(KubernetesClient client, String yaml) {
    GenericKubernetesResource raw = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    Class<? extends HasMetadata> type =
        raw.getKind().equals("ModelServe") ? ModelServe.class : FineTuneJob.class;
    client
        .genericKubernetesResources(ResourceDefinitionContext.fromResourceType(type))
        .inNamespace(NS)
        .resource(raw)
        .create();
  }
}
