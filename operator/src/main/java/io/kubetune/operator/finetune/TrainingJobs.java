package io.kubetune.operator.finetune;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPatternBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * The Indexed batch/v1 Job that trains: completions = parallelism = nodes, restartPolicy Never, a
 * podFailurePolicy built on the trainer's exit codes.
 */
public final class TrainingJobs {
  /** Hash of the Job's immutable part (pod template, sizes, failure policy) and of job.yaml. */
  public static final String TEMPLATE_HASH = "kubetune.io/template-hash";

  private TrainingJobs() {}

  public static Job build(FineTuneJob job, String defaultImage) {
    FineTuneJobSpec spec = job.getSpec();
    TrainingNames names = new TrainingNames(job.getMetadata().getName());
    int nodes = spec.effectiveResources().effectiveNodes();
    Job built =
        new JobBuilder()
            .withMetadata(
                new ObjectMetaBuilder()
                    .withName(names.trainingJob())
                    .withNamespace(job.getMetadata().getNamespace())
                    .withLabels(Labels.trainer(names.job()))
                    .build())
            .withNewSpec()
            .withCompletionMode("Indexed")
            .withCompletions(nodes)
            .withParallelism(nodes)
            .withBackoffLimit(
                spec.backoffLimit() != null
                    ? spec.backoffLimit()
                    : FineTuneJobSpec.DEFAULT_BACKOFF_LIMIT)
            .withActiveDeadlineSeconds(spec.activeDeadlineSeconds())
            .withTtlSecondsAfterFinished(spec.ttlSecondsAfterFinished())
            .withSuspend(spec.suspended())
            .withPodFailurePolicy(failurePolicy())
            .withTemplate(TrainingPod.build(job, defaultImage))
            .endSpec()
            .build();
    built
        .getMetadata()
        .setAnnotations(Map.of(TEMPLATE_HASH, templateHash(built, TrainingConfig.render(job))));
    return built;
  }

  /**
   * Permanent trainer errors fail the Job at once; a disruption (preemption, eviction, node drain)
   * does not count toward backoffLimit; any other failure, exit code 75 included, is retried.
   */
  public static PodFailurePolicy failurePolicy() {
    return new PodFailurePolicyBuilder()
        .addNewRule()
        .withAction("FailJob")
        .withNewOnExitCodes()
        .withContainerName(TrainingPod.CONTAINER)
        .withOperator("In")
        .withValues(TrainerExitCodes.PERMANENT)
        .endOnExitCodes()
        .endRule()
        .addNewRule()
        .withAction("Ignore")
        .withOnPodConditions(
            new PodFailurePolicyOnPodConditionsPatternBuilder()
                .withType("DisruptionTarget")
                .withStatus("True")
                .build())
        .endRule()
        .build();
  }

  /**
   * A JSON merge patch that sets what may change on an existing Job to the desired values: suspend,
   * backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished, parallelism and completions (null
   * removes a field), the operator's labels and owner references. Spec changes reach a Job this
   * way, and so do hand edits get undone (parallelism 0, a removed label). It carries no
   * resourceVersion: the Job controller updates a running Job's status all the time, so an
   * optimistically locked read-modify-write of it could fail with a conflict (409), as the e2e
   * tests saw when suspending.
   */
  public static String mutableFieldsPatch(Job desired) {
    JobSpec d = desired.getSpec();
    ObjectNode spec = Serialization.jsonMapper().createObjectNode();
    spec.set("suspend", BooleanNode.valueOf(Boolean.TRUE.equals(d.getSuspend())));
    putOrNull(spec, "backoffLimit", d.getBackoffLimit());
    putOrNull(spec, "activeDeadlineSeconds", d.getActiveDeadlineSeconds());
    putOrNull(spec, "ttlSecondsAfterFinished", d.getTtlSecondsAfterFinished());
    putOrNull(spec, "parallelism", d.getParallelism());
    putOrNull(spec, "completions", d.getCompletions());
    ObjectNode metadata = Serialization.jsonMapper().createObjectNode();
    metadata.set(
        "labels", Serialization.jsonMapper().valueToTree(desired.getMetadata().getLabels()));
    var owners = desired.getMetadata().getOwnerReferences();
    if (owners != null && !owners.isEmpty()) {
      metadata.set("ownerReferences", Serialization.jsonMapper().valueToTree(owners));
    }
    ObjectNode patch = Serialization.jsonMapper().createObjectNode();
    patch.set("metadata", metadata);
    patch.set("spec", spec);
    return patch.toString();
  }

  private static void putOrNull(ObjectNode node, String field, Number value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value.longValue());
    }
  }

  /** The hash a Job carries; a different one means the Job must be replaced to apply a change. */
  public static String hashOf(Job job) {
    var annotations = job.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(TEMPLATE_HASH);
  }

  private static String templateHash(Job job, String config) {
    JobSpec s = job.getSpec();
    String immutable =
        Serialization.asJson(s.getTemplate())
            + Objects.toString(s.getCompletions())
            + Objects.toString(s.getParallelism())
            + Serialization.asJson(s.getPodFailurePolicy())
            + config;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(immutable.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
