package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Optimisation hyper-parameters. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingSpec(
    @Min(1) @Max(1000) @JsonPropertyDescription("Passes over the data (default 1).") Integer epochs,
    @Min(1)
        @JsonPropertyDescription("Stop after this many optimizer steps; overrides epochs when set.")
        Integer maxSteps,
    @Min(1) @Max(1024) @JsonPropertyDescription("Sequences per forward pass (default 1).")
        Integer microBatchSize,
    @Min(1) @Max(4096) @JsonPropertyDescription("Micro-batches per optimizer step (default 1).")
        Integer gradientAccumulation,
    @Min(value = 0, inclusive = false)
        @Max(1)
        @JsonPropertyDescription("Peak learning rate of AdamW (default 2e-4).")
        Double learningRate,
    @Min(0)
        @Max(1)
        @JsonPropertyDescription("Fraction of the steps spent warming up linearly (default 0.03).")
        Double warmupRatio,
    @JsonPropertyDescription("Learning-rate schedule after warm-up: cosine, linear or constant.")
        Schedule schedule,
    @Min(0) @JsonPropertyDescription("Decoupled AdamW weight decay (default 0).")
        Double weightDecay,
    @Min(0) @JsonPropertyDescription("Global gradient-norm clip; 0 turns clipping off (default 1).")
        Double maxGradNorm,
    @Min(8) @Max(1048576) @JsonPropertyDescription("Tokens per sequence (default 2048).")
        Integer maxLength,
    @JsonPropertyDescription(
            "Pack several samples into each sequence of maxLength tokens; attention stays inside"
                + " each sample (default false).")
        Boolean packing,
    @Min(0) @JsonPropertyDescription("Seed for initialisation, shuffling and dropout (default 42).")
        Long seed,
    @JsonPropertyDescription("Compute precision: fp32 or bf16; master weights stay fp32.")
        Precision precision) {

  public TrainingSpec {
    epochs = epochs == null ? 1 : epochs;
    microBatchSize = microBatchSize == null ? 1 : microBatchSize;
    gradientAccumulation = gradientAccumulation == null ? 1 : gradientAccumulation;
    learningRate = learningRate == null ? 2e-4 : learningRate;
    warmupRatio = warmupRatio == null ? 0.03 : warmupRatio;
    schedule = schedule == null ? Schedule.COSINE : schedule;
    weightDecay = weightDecay == null ? 0.0 : weightDecay;
    maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
    maxLength = maxLength == null ? 2048 : maxLength;
    packing = packing == null ? Boolean.FALSE : packing;
    seed = seed == null ? 42L : seed;
    precision = precision == null ? Precision.FP32 : precision;
  }

  public static TrainingSpec defaults() {
    return new TrainingSpec(
        null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** Learning-rate schedules after warm-up. */
  public enum Schedule {
    @JsonProperty("cosine")
    COSINE,
    @JsonProperty("linear")
    LINEAR,
    @JsonProperty("constant")
    CONSTANT
  }

  /** Compute precisions. */
  public enum Precision {
    @JsonProperty("fp32")
    FP32,
    @JsonProperty("bf16")
    BF16
  }
}
