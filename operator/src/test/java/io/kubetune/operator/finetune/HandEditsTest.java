package io.kubetune.operator.finetune;

import static io.kubetune.operator.support.Fixtures.LORA_SPEC;
import static io.kubetune.operator.support.Fixtures.complete;
import static io.kubetune.operator.support.Fixtures.job;
import static io.kubetune.operator.support.Fixtures.jobStatus;
import static io.kubetune.operator.support.Fixtures.serve;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.support.Cluster;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Hand edits of every object the operator owns converge back to what the spec wants (issue 11,
 * defect 6), including the edit that hides an object from the operator's informers: removing the
 * managed-by label. The object is taken back (same UID), not created again.
 */
@QuarkusTest
@WithKubernetesTestServer
class HandEditsTest {
  @Inject KubernetesClient client;

  @Test
  void everyObjectOfATrainingJobConverges() {
    client.resource(job("edits", "qwen", LORA_SPEC)).create();
    Cluster cluster = new Cluster(client, "edits");
    cluster.awaitObject(Job.class, "qwen");
    cluster.awaitObject(PersistentVolumeClaim.class, "qwen-storage");

    converges(
        cluster,
        Job.class,
        "qwen",
        j -> {
          j.getSpec().setParallelism(0);
          return j;
        },
        j -> j.getSpec().getParallelism() == 1);
    converges(cluster, Job.class, "qwen", HandEditsTest::dropManagedBy, HandEditsTest::managed);
    converges(
        cluster,
        ConfigMap.class,
        "qwen-config",
        c -> {
          c.getData().put("job.yaml", "edited by hand");
          return c;
        },
        c -> c.getData().get("job.yaml").contains("pvc://models/qwen2-0.5b"));
    converges(
        cluster,
        ConfigMap.class,
        "qwen-config",
        HandEditsTest::dropManagedBy,
        HandEditsTest::managed);
    converges(
        cluster,
        Service.class,
        "qwen-workers",
        s -> {
          s.getSpec().getPorts().get(0).setPort(1234);
          return s;
        },
        s -> s.getSpec().getPorts().get(0).getPort() == TrainingPod.RENDEZVOUS_PORT);
    converges(
        cluster,
        Service.class,
        "qwen-workers",
        HandEditsTest::dropManagedBy,
        HandEditsTest::managed);
    converges(
        cluster,
        PersistentVolumeClaim.class,
        "qwen-storage",
        HandEditsTest::dropManagedBy,
        HandEditsTest::managed);
    assertThat(client.batch().v1().jobs().inNamespace("edits").list().getItems()).hasSize(1);
  }

  @Test
  void theModelServeOfATrainedJobConverges() {
    client.resource(job("edits-serve", "qwen", LORA_SPEC + "serve: {}\n")).create();
    Cluster cluster = new Cluster(client, "edits-serve");
    cluster.awaitObject(Job.class, "qwen");
    jobStatus(client, "edits-serve", "qwen", complete());
    cluster.awaitObject(ModelServe.class, "qwen");

    converges(
        cluster,
        ModelServe.class,
        "qwen",
        ms -> {
          ms.setSpec(serve("edits-serve", "qwen", "model: pvc://elsewhere/model\n").getSpec());
          return ms;
        },
        ms -> "pvc://qwen-storage/qwen/hf".equals(ms.getSpec().model()));
    converges(
        cluster,
        ModelServe.class,
        "qwen",
        ms -> {
          ms.setSpec(
              serve(
                      "edits-serve",
                      "qwen",
                      "model: pvc://qwen-storage/qwen/hf\nadapter: pvc://elsewhere/adapter\n")
                  .getSpec());
          return ms;
        },
        ms -> ms.getSpec().adapter() == null);
    converges(
        cluster, ModelServe.class, "qwen", HandEditsTest::dropManagedBy, HandEditsTest::managed);
  }

  @Test
  void everyObjectOfAModelServeConverges() {
    client
        .resource(
            serve(
                "edits-ms",
                "chat",
                """
                model: pvc://runs/qwen/hf
                resources: {cpu: "2"}
                autoscaling: {maxReplicas: 4}
                """))
        .create();
    client
        .resource(serve("edits-ms", "fixed", "model: pvc://runs/qwen/hf\nreplicas: 2\n"))
        .create();
    Cluster cluster = new Cluster(client, "edits-ms");
    cluster.awaitObject(HorizontalPodAutoscaler.class, "chat");
    cluster.awaitObject(Deployment.class, "fixed");

    converges(
        cluster,
        Deployment.class,
        "fixed",
        d -> {
          d.getSpec().setReplicas(0);
          return d;
        },
        d -> d.getSpec().getReplicas() == 2);
    converges(
        cluster, Deployment.class, "fixed", HandEditsTest::dropManagedBy, HandEditsTest::managed);
    converges(
        cluster,
        Service.class,
        "chat",
        s -> {
          s.getSpec().getPorts().get(0).setPort(81);
          return s;
        },
        s -> s.getSpec().getPorts().get(0).getPort() == 80);
    converges(cluster, Service.class, "chat", HandEditsTest::dropManagedBy, HandEditsTest::managed);
    converges(
        cluster,
        HorizontalPodAutoscaler.class,
        "chat",
        h -> {
          h.getSpec().setMaxReplicas(1);
          return h;
        },
        h -> h.getSpec().getMaxReplicas() == 4);
    converges(
        cluster,
        HorizontalPodAutoscaler.class,
        "chat",
        HandEditsTest::dropManagedBy,
        HandEditsTest::managed);
  }

  /** Edits the object by hand; it must come back to the wanted state with the same UID. */
  private <T extends HasMetadata> void converges(
      Cluster cluster, Class<T> type, String name, UnaryOperator<T> edit, Predicate<T> wanted) {
    T before = cluster.get(type, name);
    var resource =
        client.resources(type).inNamespace(before.getMetadata().getNamespace()).withName(name);
    // the operator writes these objects too (status, its own changes): retry a stale edit
    Awaitility.await()
        .atMost(Cluster.WAIT)
        .ignoreExceptionsMatching(
            e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(() -> resource.edit(edit) != null);
    T back = cluster.await(type, name, wanted);
    assertThat(back.getMetadata().getUid())
        .as("%s %s is the same object", type.getSimpleName(), name)
        .isEqualTo(before.getMetadata().getUid());
  }

  static <T extends HasMetadata> T dropManagedBy(T o) {
    o.getMetadata().getLabels().remove(Labels.MANAGED_BY);
    return o;
  }

  static boolean managed(HasMetadata o) {
    return Labels.OPERATOR.equals(o.getMetadata().getLabels().get(Labels.MANAGED_BY));
  }
}
