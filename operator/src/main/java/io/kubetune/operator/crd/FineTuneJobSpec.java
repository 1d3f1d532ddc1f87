package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.kubetune.api.CheckpointSpec;
import io.kubetune.api.DatasetSpec;
import io.kubetune.api.EvaluationSpec;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.api.OutputSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingSpec;
import java.util.List;

/**
 * The desired fine-tuning run. The training part (model ... output) is the trainer's own job spec
 * ({@link TrainingJobSpec}); the rest says how to run it on the cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FineTuneJobSpec(
    @Required @JsonPropertyDescription("The base model to fine-tune.") ModelSource model,
    @Required
        @Size(min = 1, max = 32)
        @JsonPropertyDescription("The training datasets; samples of all datasets are mixed.")
        List<DatasetSpec> datasets,
    @JsonPropertyDescription("The fine-tuning method: full, lora or qlora (default lora).")
        MethodSpec method,
    @JsonPropertyDescription("Optimisation hyper-parameters.") TrainingSpec training,
    @JsonPropertyDescription("When checkpoints are written and how many are kept.")
        CheckpointSpec checkpoint,
    @JsonPropertyDescription("Prompts whose replies are sampled while training, to watch progress.")
        EvaluationSpec evaluation,
    @JsonPropertyDescription(
            "Where checkpoints and the exported model go (default: a folder named after the job"
                + " on the job's storage).")
        OutputSpec output,
    @JsonPropertyDescription("Nodes, GPUs, scheduling and the container image.")
        ResourcesSpec resources,
    @JsonPropertyDescription("Suspend the job: its pods are removed, checkpoints are kept.")
        Boolean suspend,
    @Min(0)
        @Max(100)
        @JsonPropertyDescription(
            "Retries after a retryable failure (lost peer, preemption) before the job fails"
                + " (default 3).")
        Integer backoffLimit,
    @Min(1) @JsonPropertyDescription("Fail the job when it has run longer than this many seconds.")
        Long activeDeadlineSeconds,
    @Min(0)
        @JsonPropertyDescription(
            "Delete the finished training Job (not the FineTuneJob or the model) after this many"
                + " seconds.")
        Integer ttlSecondsAfterFinished) {

  /** The part the trainer reads as job.yaml. */
  public TrainingJobSpec trainingJob() {
    return new TrainingJobSpec(model, datasets, method, training, checkpoint, evaluation, output);
  }
}
