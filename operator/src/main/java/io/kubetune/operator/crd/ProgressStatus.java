package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.kubetune.api.TrainingProgress;

/** The trainer's latest progress report, as the operator last read it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProgressStatus(
    @JsonPropertyDescription("Optimizer steps done.") Long step,
    @JsonPropertyDescription("Optimizer steps planned.") Long totalSteps,
    @JsonPropertyDescription("step/totalSteps, e.g. 120/500 (the Progress printer column).")
        String steps,
    @JsonPropertyDescription("The current epoch, from 1.") Integer epoch,
    @JsonPropertyDescription("The latest training loss.") Double loss,
    @JsonPropertyDescription("The current learning rate.") Double learningRate,
    @JsonPropertyDescription("Training throughput of the whole job.") Double tokensPerSecond,
    @JsonPropertyDescription("The trainer's estimate of the time left, in seconds.")
        Long estimatedRemainingSeconds,
    @JsonPropertyDescription("When the trainer measured these values (RFC 3339).")
        String updatedAt) {

  public static ProgressStatus from(TrainingProgress p) {
    return new ProgressStatus(
        p.step(),
        p.totalSteps(),
        p.step() + "/" + p.totalSteps(),
        p.epoch(),
        p.loss(),
        p.learningRate(),
        p.tokensPerSecond(),
        p.estimatedRemainingSeconds(),
        p.updatedAt());
  }
}
