package io.kubetune.operator.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
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
 * An informer that stops (here: the training Jobs' informer meets a Job that the Fabric8 model
 * cannot read, which a real API server never sends) leaves the operator blind to that kind: the
 * liveness probe fails, so that Kubernetes restarts the operator, and says which informer stopped.
 * Its own application (a separate mock server), since it breaks the operator it runs.
 */
@QuarkusTest
@WithKubernetesTestServer(setup = StoppedInformerTest.Fresh.class)
class StoppedInformerTest {

  @Inject KubernetesClient client;

  @TestHTTPResource("/q/health/live")
  URI live;

  /** A distinct setup: its own mock server and application. */
  public static class Fresh implements Consumer<KubernetesServer> {
    @Override
    public void accept(KubernetesServer server) {}
  }

  @Test
  void livenessFailsAndNamesTheInformerOnceAnInformerStopped() throws Exception {
    assertThat(Cluster.httpStatus(live)).isEqualTo(200);

    client
        .genericKubernetesResources(ResourceDefinitionContext.fromResourceType(Job.class))
        .inNamespace("stopped")
        .resource(
            Serialization.unmarshal(
                """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: unreadable
                  namespace: stopped
                  labels: {app.kubernetes.io/managed-by: kubetune-operator}
                spec:
                  parallelism: 3000000000
                  template: {spec: {containers: [{name: c, image: i}]}}
                """,
                GenericKubernetesResource.class))
        .create();

    await().atMost(Cluster.WAIT).until(() -> Cluster.httpStatus(live) == 503);
    assertThat(Cluster.httpGet(live)).contains("DOWN").contains("finetunejob").contains("job");
  }
}
