package io.kubetune.operator.finetune;

import static io.kubetune.operator.support.Fixtures.LORA_SPEC;
import static io.kubetune.operator.support.Fixtures.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.crd.ModelServeStatus;
import io.kubetune.operator.status.Conditions;
import io.kubetune.operator.support.Cluster;
import io.kubetune.operator.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The API server refuses an object the operator creates (issue 11, defect 4): the resource says so
 * in a condition with the API server's message and in an Event; a refused claim stops the Job from
 * being created; a permanent refusal (422 Invalid) fails the job, a passing one (403 quota) is
 * retried. The mock server answers the refusals as the real one would.
 */
@QuarkusTest
@WithKubernetesTestServer
class RefusedObjectsTest {
  @Inject KubernetesClient client;

  @KubernetesTestServer KubernetesServer server;

  /** What a cluster's admission policy (a ValidatingAdmissionPolicy, reason Invalid) answers. */
  static final String CLAIM_INVALID =
      "persistentvolumeclaims \"qwen-storage\" is forbidden: ValidatingAdmissionPolicy"
          + " 'claims-at-most-50gi' with binding 'claims-at-most-50gi' denied request: claims may"
          + " request at most 50Gi in this namespace";

  @Test
  void anInvalidClaimFailsTheJobWithTheApiServersMessageAndNoJobIsCreated() throws Exception {
    refuse("/api/v1/namespaces/refused-claim/persistentvolumeclaims", CLAIM_INVALID);
    client.resource(job("refused-claim", "qwen", LORA_SPEC.replace("10Gi", "100Gi"))).create();

    Cluster cluster = new Cluster(client, "refused-claim");
    FineTuneJobStatus s = cluster.awaitJobStatus("qwen", st -> "Failed".equals(st.phase()));
    var failed = Conditions.find(s.conditions(), "Failed").orElseThrow();
    assertThat(failed.getReason()).isEqualTo("FailedCreate");
    assertThat(failed.getMessage())
        .startsWith("PersistentVolumeClaim qwen-storage: ")
        .contains("at most 50Gi");
    assertThat(Conditions.reason(s.conditions(), "Created")).isEqualTo("FailedCreate");
    assertThat(cluster.awaitEvent("qwen", "FailedCreate").getMessage()).contains("at most 50Gi");
    Thread.sleep(2000);
    assertThat(cluster.get(Job.class, "qwen")).as("no Job without its claim").isNull();
  }

  @Test
  void aRefusedJobFailsTheFineTuneJob() {
    refuse(
        "/apis/batch/v1/namespaces/refused-job/jobs",
        "Job.batch \"qwen\" is invalid: spec.template.spec.containers[0].resources.requests[memory]:"
            + " Invalid value: \"-8Gi\": must be greater than or equal to 0");
    client.resource(job("refused-job", "qwen", LORA_SPEC)).create();

    Cluster cluster = new Cluster(client, "refused-job");
    FineTuneJobStatus s = cluster.awaitJobStatus("qwen", st -> "Failed".equals(st.phase()));
    assertThat(Conditions.find(s.conditions(), "Failed").orElseThrow().getMessage())
        .startsWith("Job qwen: ")
        .contains("must be greater than or equal to 0");
    cluster.awaitEvent("qwen", "FailedCreate");
  }

  @Test
  void aPassingRefusalIsShownThenRetried() {
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/quota/configmaps")
        .andReturn(
            403,
            status(
                403,
                "Forbidden",
                "configmaps \"qwen-config\" is forbidden: exceeded quota: small, requested: count/configmaps=1, used: count/configmaps=5, limited: count/configmaps=5"))
        .once();
    client.resource(job("quota", "qwen", LORA_SPEC)).create();

    Cluster cluster = new Cluster(client, "quota");
    assertThat(cluster.awaitEvent("qwen", "FailedCreate").getMessage())
        .startsWith("ConfigMap qwen-config: ")
        .contains("exceeded quota");
    cluster.awaitObject(Job.class, "qwen");
    FineTuneJobStatus s =
        cluster.awaitJobStatus("qwen", st -> Conditions.isTrue(st.conditions(), "Created"));
    assertThat(s.phase()).isEqualTo("Pending");
    assertThat(Conditions.isTrue(s.conditions(), "Failed")).isFalse();
  }

  /** A refused update (here: of a hand-edited ConfigMap) is shown, but does not end the job. */
  @Test
  void aRefusedUpdateIsShownAndTheJobGoesOn() {
    client.resource(job("refused-update", "qwen", LORA_SPEC)).create();
    Cluster cluster = new Cluster(client, "refused-update");
    cluster.awaitObject(Job.class, "qwen");
    server
        .expect()
        .put()
        .withPath("/api/v1/namespaces/refused-update/configmaps/qwen-config")
        .andReturn(
            422, status(422, "Invalid", "ConfigMap \"qwen-config\" is invalid: data: Too long"))
        .always();
    client
        .configMaps()
        .inNamespace("refused-update")
        .withName("qwen-config")
        .edit(
            c -> {
              c.getData().put("job.yaml", "edited by hand");
              return c;
            });

    FineTuneJobStatus s =
        cluster.awaitJobStatus(
            "qwen", st -> "FailedUpdate".equals(Conditions.reason(st.conditions(), "Created")));
    assertThat(Conditions.find(s.conditions(), "Created").orElseThrow().getMessage())
        .startsWith("ConfigMap qwen-config: ")
        .contains("Too long");
    assertThat(s.phase()).isEqualTo("Pending");
    cluster.awaitEvent("qwen", "FailedUpdate");
    assertThat(cluster.get(Job.class, "qwen")).as("the Job goes on").isNotNull();
  }

  @Test
  void aRefusedServerDeploymentFailsTheModelServe() {
    refuse(
        "/apis/apps/v1/namespaces/refused-ms/deployments",
        "Deployment.apps \"chat\" is invalid: spec.template.spec.containers[0].resources.requests[cpu]:"
            + " Invalid value: \"1.2.3\": quantities must match the regular expression");
    client.resource(Fixtures.serve("refused-ms", "chat", "model: pvc://runs/qwen/hf\n")).create();

    Cluster cluster = new Cluster(client, "refused-ms");
    ModelServeStatus s = cluster.awaitServeStatus("chat", st -> "Failed".equals(st.phase()));
    var ready = Conditions.find(s.conditions(), "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("FailedCreate");
    assertThat(ready.getMessage()).startsWith("Deployment chat: ").contains("1.2.3");
    cluster.awaitEvent("chat", "FailedCreate");
    assertThat(cluster.get(Deployment.class, "chat")).isNull();
  }

  /** Every create at this path is refused as invalid (422), as the API server's validation does. */
  private void refuse(String path, String message) {
    server.expect().post().withPath(path).andReturn(422, status(422, "Invalid", message)).always();
  }

  static Status status(int code, String reason, String message) {
    return new StatusBuilder()
        .withStatus("Failure")
        .withCode(code)
        .withReason(reason)
        .withMessage(message)
        .build();
  }
}
