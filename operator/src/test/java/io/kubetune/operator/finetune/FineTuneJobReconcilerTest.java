package io.kubetune.operator.finetune;

import static io.kubetune.operator.support.Fixtures.LORA_SPEC;
import static io.kubetune.operator.support.Fixtures.complete;
import static io.kubetune.operator.support.Fixtures.failed;
import static io.kubetune.operator.support.Fixtures.job;
import static io.kubetune.operator.support.Fixtures.jobStatus;
import static io.kubetune.operator.support.Fixtures.progress;
import static io.kubetune.operator.support.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.status.Conditions;
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
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The operator, started by Quarkus against the Fabric8 mock API server (CRUD mode, no controllers):
 * Job and Deployment status is played by hand, the trainer by {@link FakeTrainer}.
 */
@QuarkusTest
@WithKubernetesTestServer
class FineTuneJobReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Inject KubernetesClient client;
  @Inject FakeTrainer trainer;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @Test
  void createsOwnedObjectsAndReportsPending() {
    FineTuneJob created = client.resource(job("create", "qwen", LORA_SPEC)).create();

    Job job = awaitObject(Job.class, "create", "qwen");
    ConfigMap config = awaitObject(ConfigMap.class, "create", "qwen-config");
    Service workers = awaitObject(Service.class, "create", "qwen-workers");
    PersistentVolumeClaim claim =
        awaitObject(PersistentVolumeClaim.class, "create", "qwen-storage");
    for (HasMetadata owned : List.of(job, config, workers, claim)) {
      OwnerReference owner = owned.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getKind()).isEqualTo("FineTuneJob");
      assertThat(owner.getUid()).isEqualTo(created.getMetadata().getUid());
    }
    assertThat(config.getData().get("job.yaml")).contains("path: pvc://qwen-storage/qwen");
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");

    FineTuneJobStatus status = awaitStatus("create", "qwen", s -> s.conditions() != null);
    assertThat(status.phase()).isEqualTo("Pending");
    assertThat(Conditions.isTrue(status.conditions(), "Created")).isTrue();
    assertThat(status.observedGeneration()).isEqualTo(1L);
    awaitEvent("create", "qwen", "Created");
    assertThat(
            client
                .resources(FineTuneJob.class)
                .inNamespace("create")
                .withName("qwen")
                .get()
                .getMetadata()
                .getFinalizers())
        .as("no finalizer: owned objects go by garbage collection")
        .isEmpty();
  }

  @Test
  void runningJobMirrorsTheTrainersProgressIntoStatusAndMetrics() throws Exception {
    client.resource(job("progress", "qwen", LORA_SPEC)).create();
    awaitObject(Job.class, "progress", "qwen");
    trainer.report(
        "progress", "qwen", progress(120, 500, 1.25, "training", "checkpoints/step-100"));
    jobStatus(client, "progress", "qwen", running(1));

    FineTuneJobStatus status =
        awaitStatus("progress", "qwen", s -> s.progress() != null && s.progress().step() == 120);
    assertThat(status.phase()).isEqualTo("Running");
    assertThat(status.progress().steps()).isEqualTo("120/500");
    assertThat(status.progress().loss()).isEqualTo(1.25);
    assertThat(status.progress().tokensPerSecond()).isEqualTo(1500.5);
    assertThat(status.lastCheckpoint()).isEqualTo("checkpoints/step-100");
    assertThat(status.startTime()).isEqualTo("2026-11-29T10:00:00Z");
    awaitEvent("progress", "qwen", "Started");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(get(metrics))
                    .contains(
                        "kubetune_finetunejob_step{name=\"qwen\",namespace=\"progress\"} 120.0")
                    .contains(
                        "kubetune_finetunejob_total_steps{name=\"qwen\",namespace=\"progress\"} 500.0")
                    .contains(
                        "kubetune_finetunejob_loss{name=\"qwen\",namespace=\"progress\"} 1.25"));

    trainer.report(
        "progress", "qwen", progress(500, 500, 0.5, "exporting", "checkpoints/step-500"));
    awaitStatus("progress", "qwen", s -> "Exporting".equals(s.phase()));
    awaitEvent("progress", "qwen", "Exporting");

    client.resources(FineTuneJob.class).inNamespace("progress").withName("qwen").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(get(metrics)).doesNotContain("namespace=\"progress\""));
  }

  @Test
  void successRecordsTheArtifactAndServesIt() {
    client
        .resource(
            job(
                "serve",
                "qwen",
                LORA_SPEC
                    + """
                    serve:
                      replicas: 1
                    """))
        .create();
    awaitObject(Job.class, "serve", "qwen");
    jobStatus(client, "serve", "qwen", running(1));
    awaitStatus("serve", "qwen", s -> "Running".equals(s.phase()));
    assertThat(client.resources(ModelServe.class).inNamespace("serve").withName("qwen").get())
        .as("no ModelServe before training succeeded")
        .isNull();

    jobStatus(client, "serve", "qwen", complete());
    FineTuneJobStatus done = awaitStatus("serve", "qwen", s -> "Succeeded".equals(s.phase()));
    assertThat(done.artifact().model()).isEqualTo("pvc://qwen-storage/qwen/hf");
    assertThat(done.artifact().adapter()).isEqualTo("pvc://qwen-storage/qwen/adapter");
    assertThat(done.artifact().format()).isEqualTo("huggingface");
    assertThat(done.completionTime()).isEqualTo("2026-11-29T11:00:00Z");
    awaitEvent("serve", "qwen", "Exported");

    ModelServe ms = awaitObject(ModelServe.class, "serve", "qwen");
    assertThat(ms.getSpec().model()).isEqualTo("pvc://qwen-storage/qwen/hf");
    assertThat(ms.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("FineTuneJob");

    Deployment deployment = awaitObject(Deployment.class, "serve", "qwen");
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsSequence("serve", "--model", "/mnt/pvc/qwen-storage/qwen/hf");
    awaitObject(Service.class, "serve", "qwen");
    client
        .apps()
        .deployments()
        .inNamespace("serve")
        .withName("qwen")
        .editStatus(
            d -> {
              d.setStatus(
                  new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                      .withReplicas(1)
                      .withReadyReplicas(1)
                      .build());
              return d;
            });

    FineTuneJobStatus serving =
        awaitStatus("serve", "qwen", s -> Conditions.isTrue(s.conditions(), "Serving"));
    assertThat(serving.url()).isEqualTo("http://qwen.serve.svc/v1");
    assertThat(serving.modelServe()).isEqualTo("qwen");
    assertThat(serving.phase()).isEqualTo("Succeeded");
    awaitEvent("serve", "qwen", "Serving");
  }

  @Test
  void suspendRemovesThePodsAndResumeContinues() {
    client.resource(job("suspend", "qwen", LORA_SPEC)).create();
    awaitObject(Job.class, "suspend", "qwen");
    trainer.report("suspend", "qwen", progress(40, 500, 2.0, "training", "checkpoints/step-40"));
    jobStatus(client, "suspend", "qwen", running(1));
    awaitStatus("suspend", "qwen", s -> "checkpoints/step-40".equals(s.lastCheckpoint()));

    setSuspend("suspend", "qwen", true);
    await()
        .atMost(WAIT)
        .until(() -> Boolean.TRUE.equals(getJob("suspend", "qwen").getSpec().getSuspend()));
    jobStatus(client, "suspend", "qwen", b -> b.withActive(0).withReady(0));
    FineTuneJobStatus suspended =
        awaitStatus("suspend", "qwen", s -> "Suspended".equals(s.phase()));
    assertThat(suspended.lastCheckpoint()).isEqualTo("checkpoints/step-40");
    awaitEvent("suspend", "qwen", "Suspended");
    String uid = getJob("suspend", "qwen").getMetadata().getUid();

    setSuspend("suspend", "qwen", false);
    await()
        .atMost(WAIT)
        .until(() -> Boolean.FALSE.equals(getJob("suspend", "qwen").getSpec().getSuspend()));
    assertThat(getJob("suspend", "qwen").getMetadata().getUid())
        .as("the same Job resumes")
        .isEqualTo(uid);
    jobStatus(client, "suspend", "qwen", running(1));
    awaitStatus("suspend", "qwen", s -> "Running".equals(s.phase()));
    Event resumed = awaitEvent("suspend", "qwen", "Resumed");
    assertThat(resumed.getMessage()).contains("checkpoints/step-40");
  }

  @Test
  void aFailedJobStaysFailedUntilTheSpecChanges() throws Exception {
    client.resource(job("fail", "qwen", LORA_SPEC)).create();
    Job first = awaitObject(Job.class, "fail", "qwen");
    jobStatus(client, "fail", "qwen", running(1));
    awaitStatus("fail", "qwen", s -> "Running".equals(s.phase()));

    // a retryable failure: the Job controller replaces the pod; the status counts it
    jobStatus(client, "fail", "qwen", b -> b.withFailed(1));
    FineTuneJobStatus restarted =
        awaitStatus("fail", "qwen", s -> Integer.valueOf(1).equals(s.restarts()));
    assertThat(restarted.phase()).isEqualTo("Running");
    awaitEvent("fail", "qwen", "Restarted");

    jobStatus(
        client,
        "fail",
        "qwen",
        failed(
            "PodFailurePolicy",
            "Container trainer for pod fail/qwen-0-abcde failed with exit code 65 matching"
                + " FailJob rule at index 0"));
    FineTuneJobStatus failedStatus = awaitStatus("fail", "qwen", s -> "Failed".equals(s.phase()));
    var failedCondition = Conditions.find(failedStatus.conditions(), "Failed").orElseThrow();
    assertThat(failedCondition.getReason()).isEqualTo("DataError");
    assertThat(failedCondition.getMessage())
        .contains("a dataset is malformed")
        .contains("exit code 65");
    awaitEvent("fail", "qwen", "Failed");

    Thread.sleep(2000); // several reconciliations (progress polls) later: still the failed Job
    assertThat(getJob("fail", "qwen").getMetadata().getUid())
        .isEqualTo(first.getMetadata().getUid());
    assertThat(status("fail", "qwen").phase()).isEqualTo("Failed");

    client
        .resources(FineTuneJob.class)
        .inNamespace("fail")
        .withName("qwen")
        .edit(
            j -> {
              j.setSpec(
                  job(
                          "fail",
                          "qwen",
                          LORA_SPEC
                              + """
                              training:
                                learningRate: 0.0001
                              """)
                      .getSpec());
              return j;
            });
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Job j = getJob("fail", "qwen");
              return j != null && !j.getMetadata().getUid().equals(first.getMetadata().getUid());
            });
    FineTuneJobStatus retried = awaitStatus("fail", "qwen", s -> "Pending".equals(s.phase()));
    assertThat(Conditions.isTrue(retried.conditions(), "Failed")).isFalse();
    awaitEvent("fail", "qwen", "Retrying");
  }

  @Test
  void anInvalidSpecCreatesNothingAndSaysWhy() {
    // the mock server does not enforce the CRD schema, so this reaches the operator
    client
        .resource(
            job(
                "invalid",
                "qwen",
                LORA_SPEC.replace("pvc://models/qwen2-0.5b", "gs://bucket/model")))
        .create();
    FineTuneJobStatus status = awaitStatus("invalid", "qwen", s -> "Failed".equals(s.phase()));
    var failed = Conditions.find(status.conditions(), "Failed").orElseThrow();
    assertThat(failed.getReason()).isEqualTo("InvalidSpec");
    // the API server's own message for the CRD's pattern: the one validator checked it
    assertThat(failed.getMessage())
        .contains(
            "spec.model.source: Invalid value: \"gs://bucket/model\": spec.model.source in body should match");
    assertThat(getJob("invalid", "qwen")).isNull();
    awaitEvent("invalid", "qwen", "InvalidSpec");
  }

  @Test
  void reconcilingAgainChangesNothing() throws Exception {
    client.resource(job("steady", "qwen", LORA_SPEC)).create();
    awaitObject(Job.class, "steady", "qwen");
    jobStatus(client, "steady", "qwen", running(1));
    awaitStatus("steady", "qwen", s -> "Running".equals(s.phase()));
    Thread.sleep(1500);
    List<String> before = versions("steady");

    // an unrelated change to an owned object triggers a reconciliation
    client
        .services()
        .inNamespace("steady")
        .withName("qwen-workers")
        .edit(
            s -> {
              s.getMetadata().getAnnotations().put("touched", "yes");
              return s;
            });
    Thread.sleep(3000);

    List<String> after = versions("steady");
    assertThat(after).isEqualTo(before);
  }

  private List<String> versions(String ns) {
    return List.of(
        client
            .resources(FineTuneJob.class)
            .inNamespace(ns)
            .withName("qwen")
            .get()
            .getMetadata()
            .getResourceVersion(),
        getJob(ns, "qwen").getMetadata().getResourceVersion(),
        client
            .configMaps()
            .inNamespace(ns)
            .withName("qwen-config")
            .get()
            .getMetadata()
            .getResourceVersion(),
        client
            .persistentVolumeClaims()
            .inNamespace(ns)
            .withName("qwen-storage")
            .get()
            .getMetadata()
            .getResourceVersion());
  }

  private void setSuspend(String ns, String name, boolean suspend) {
    client
        .resources(FineTuneJob.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            j -> {
              var s = j.getSpec();
              var spec =
                  new io.kubetune.operator.crd.FineTuneJobSpec(
                      s.model(),
                      s.datasets(),
                      s.method(),
                      s.training(),
                      s.checkpoint(),
                      s.evaluation(),
                      s.output(),
                      s.distributed(),
                      s.resources(),
                      s.template(),
                      s.storage(),
                      s.serve(),
                      suspend,
                      s.backoffLimit(),
                      s.activeDeadlineSeconds(),
                      s.ttlSecondsAfterFinished(),
                      s.sourceSecretRef());
              j.setSpec(spec);
              return j;
            });
  }

  private Job getJob(String ns, String name) {
    return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
  }

  private <T extends HasMetadata> T awaitObject(Class<T> type, String ns, String name) {
    return await()
        .atMost(WAIT)
        .until(() -> client.resources(type).inNamespace(ns).withName(name).get(), o -> o != null);
  }

  private FineTuneJobStatus status(String ns, String name) {
    return client.resources(FineTuneJob.class).inNamespace(ns).withName(name).get().getStatus();
  }

  private FineTuneJobStatus awaitStatus(
      String ns, String name, Predicate<FineTuneJobStatus> condition) {
    return await().atMost(WAIT).until(() -> status(ns, name), s -> s != null && condition.test(s));
  }

  private Event awaitEvent(String ns, String name, String reason) {
    return await()
        .conditionEvaluationListener(
            c -> {
              if (c.getRemainingTimeInMS() < 1000) {
                client
                    .v1()
                    .events()
                    .inNamespace(ns)
                    .list()
                    .getItems()
                    .forEach(
                        e -> System.out.println("EVENT " + e.getReason() + " " + e.getMessage()));
              }
            })
        .atMost(WAIT)
        .until(
            () ->
                client.v1().events().inNamespace(ns).list().getItems().stream()
                    .filter(
                        e ->
                            name.equals(e.getInvolvedObject().getName())
                                && reason.equals(e.getReason()))
                    .findFirst()
                    .orElse(null),
            e -> e != null);
  }

  private static String get(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
