package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * What to train, on what, and how: the document {@code kubetune train -f job.yaml} reads and the
 * training part of a FineTuneJob's spec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingJobSpec(
    @Required @JsonPropertyDescription("The base model to fine-tune.") ModelSource model,
    @Required
        @Size(min = 1, max = 32)
        @JsonPropertyDescription("The training datasets; samples of all datasets are mixed.")
        List<DatasetSpec> datasets,
    @JsonPropertyDescription("The fine-tuning method: full or lora (default lora).")
        MethodSpec method,
    @JsonPropertyDescription("Optimisation hyper-parameters.") TrainingSpec training,
    @JsonPropertyDescription("When checkpoints are written and how many are kept.")
        CheckpointSpec checkpoint,
    @JsonPropertyDescription("Prompts whose replies are sampled while training, to watch progress.")
        EvaluationSpec evaluation,
    @JsonPropertyDescription(
            "Where checkpoints and the exported model go. Set by the operator in a cluster.")
        OutputSpec output,
    @JsonPropertyDescription(
            "How several ranks share the training state (ZeRO stage) and how long they wait for"
                + " each other.")
        DistributedSpec distributed) {

  /**
   * The fields a FineTuneJob's spec has beyond these: how to run on the cluster. The trainer
   * ignores them when it reads a whole FineTuneJob; a test in the operator checks that
   * FineTuneJobSpec has exactly this spec's fields plus these.
   */
  public static final java.util.Set<String> CLUSTER_ONLY_FIELDS =
      java.util.Set.of(
          "resources",
          "storage",
          "template",
          "serve",
          "suspend",
          "backoffLimit",
          "activeDeadlineSeconds",
          "ttlSecondsAfterFinished",
          "sourceSecretRef");

  public TrainingJobSpec {
    datasets = datasets == null ? List.of() : List.copyOf(datasets);
    method = method == null ? MethodSpec.defaults() : method;
    training = training == null ? TrainingSpec.defaults() : training;
    checkpoint = checkpoint == null ? CheckpointSpec.defaults() : checkpoint;
    evaluation = evaluation == null ? EvaluationSpec.defaults() : evaluation;
    distributed = distributed == null ? DistributedSpec.defaults() : distributed;
  }
}
