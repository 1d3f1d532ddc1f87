package io.kubetune.operator.support;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import java.time.Instant;
import java.util.function.UnaryOperator;

/** Test inputs, and the Job controller's part played by hand (the mock server runs none). */
public final class Fixtures {
  private Fixtures() {}

  public static FineTuneJob job(String namespace, String name, String specYaml) {
    return resource(FineTuneJob.class, namespace, name, specYaml);
  }

  public static ModelServe serve(String namespace, String name, String specYaml) {
    return resource(ModelServe.class, namespace, name, specYaml);
  }

  private static <T> T resource(Class<T> kind, String namespace, String name, String specYaml) {
    return Serialization.unmarshal(
        "apiVersion: kubetune.io/v1alpha1\nkind: "
            + kind.getSimpleName()
            + "\nmetadata:\n  name: "
            + name
            + "\n  namespace: "
            + namespace
            + "\nspec:\n"
            + specYaml.indent(2),
        kind);
  }

  public static final String LORA_SPEC =
      """
      model:
        source: pvc://models/qwen2-0.5b
      datasets:
        - source: pvc://datasets/identity.jsonl
      storage:
        claimTemplate:
          size: 10Gi
      """;

  /** Sets the Job's status as the Job controller would. */
  public static void jobStatus(
      KubernetesClient client, String namespace, String name, UnaryOperator<JobStatusBuilder> s) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            j -> {
              j.setStatus(
                  s.apply(
                          new JobStatusBuilder(
                              j.getStatus() == null ? new JobStatus() : j.getStatus()))
                      .build());
              return j;
            });
  }

  public static UnaryOperator<JobStatusBuilder> running(int ready) {
    return b -> b.withActive(ready).withReady(ready).withStartTime("2026-11-29T10:00:00Z");
  }

  public static UnaryOperator<JobStatusBuilder> complete() {
    return b ->
        b.withActive(0)
            .withReady(0)
            .withSucceeded(1)
            .withCompletionTime("2026-11-29T11:00:00Z")
            .addToConditions(
                new JobConditionBuilder()
                    .withType("Complete")
                    .withStatus("True")
                    .withLastTransitionTime(Instant.now().toString())
                    .build());
  }

  public static UnaryOperator<JobStatusBuilder> failed(String reason, String message) {
    return b ->
        b.withActive(0)
            .withReady(0)
            .withFailed(1)
            .addToConditions(
                new JobConditionBuilder()
                    .withType("Failed")
                    .withStatus("True")
                    .withReason(reason)
                    .withMessage(message)
                    .withLastTransitionTime("2026-11-29T10:30:00Z")
                    .build());
  }

  public static String uid(Job job) {
    return job.getMetadata().getUid();
  }

  public static String progress(long step, long total, double loss, String phase, String ckpt) {
    return """
        {"step": %d, "totalSteps": %d, "epoch": 1, "loss": %s, "learningRate": 0.0002,
         "tokensPerSecond": 1500.5, "estimatedRemainingSeconds": 600, "phase": "%s",
         "lastCheckpoint": %s, "updatedAt": "2026-11-29T10:05:00Z"}
        """
        .formatted(step, total, loss, phase, ckpt == null ? "null" : "\"" + ckpt + "\"");
  }
}
