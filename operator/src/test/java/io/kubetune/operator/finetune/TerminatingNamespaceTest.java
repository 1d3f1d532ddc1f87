package io.kubetune.operator.finetune;

import static io.kubetune.operator.support.Fixtures.LORA_SPEC;
import static io.kubetune.operator.support.Fixtures.job;
import static io.kubetune.operator.support.Fixtures.jobStatus;
import static io.kubetune.operator.support.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.operator.support.Cluster;
import io.kubetune.operator.support.LogRecords;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * A namespace being deleted is the end of what is in it (issue 11, defect 7): no Events about the
 * pods its deletion kills, and no WARN or ERROR when the API server refuses to re-create what the
 * deletion removed (403 NamespaceTerminating).
 */
@QuarkusTest
@WithKubernetesTestServer
class TerminatingNamespaceTest {
  static final String NS = "ending";

  @Inject KubernetesClient client;

  @KubernetesTestServer KubernetesServer server;

  @Test
  void aTerminatingNamespaceEndsItsJobsQuietly() throws Exception {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    client.resource(job(NS, "qwen", LORA_SPEC)).create();
    Cluster cluster = new Cluster(client, NS);
    cluster.awaitObject(Job.class, "qwen");
    jobStatus(client, NS, "qwen", running(1));
    cluster.awaitJobStatus("qwen", s -> "Running".equals(s.phase()));

    try (LogRecords logs = LogRecords.capture()) {
      // kubectl delete namespace: the namespace is Terminating, then its content goes
      Namespace ending = client.namespaces().withName(NS).get();
      ending.setStatus(new NamespaceStatusBuilder().withPhase("Terminating").build());
      client.namespaces().resource(ending).update();
      assertThat(client.namespaces().withName(NS).get().getStatus().getPhase())
          .isEqualTo("Terminating");

      // the pod the deletion killed: the Job controller counts it as failed
      jobStatus(client, NS, "qwen", b -> b.withActive(0).withReady(0).withFailed(1));
      cluster.awaitJobStatus("qwen", s -> Integer.valueOf(1).equals(s.restarts()));
      Thread.sleep(1000);
      assertThat(cluster.event("qwen", "Restarted")).as("no Restarted event").isEmpty();

      // the deletion removes an owned object; the API server refuses to create it again
      server
          .expect()
          .post()
          .withPath("/api/v1/namespaces/" + NS + "/configmaps")
          .andReturn(
              403,
              RefusedObjectsTest.status(
                  403,
                  "Forbidden",
                  "configmaps \"qwen-config\" is forbidden: unable to create new content in"
                      + " namespace ending because it is being terminated"))
          .always();
      client.configMaps().inNamespace(NS).withName("qwen-config").delete();
      Thread.sleep(3000);
      assertThat(logs.mentioning(NS)).as("WARN and ERROR records about " + NS).isEmpty();
    }
  }
}
