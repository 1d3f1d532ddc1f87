package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What rank 0 of {@code kubetune train} reports on {@code GET http://<pod>:9400/progress} (port
 * {@code KUBETUNE_STATUS_PORT}) as a JSON object with exactly these fields. The operator polls it
 * while the training Job runs and mirrors it into the FineTuneJob's status.
 *
 * @param step optimizer steps done
 * @param totalSteps optimizer steps planned
 * @param epoch the current epoch, from 1
 * @param loss the latest training loss
 * @param learningRate the current learning rate
 * @param tokensPerSecond training throughput of the whole job
 * @param estimatedRemainingSeconds the trainer's estimate of the time left
 * @param phase what the trainer is doing
 * @param lastCheckpoint the newest checkpoint relative to the output path, e.g. {@code
 *     checkpoints/step-120}; null before the first one
 * @param updatedAt when these values were measured, RFC 3339
 */
public record TrainingProgress(
    long step,
    long totalSteps,
    int epoch,
    double loss,
    double learningRate,
    double tokensPerSecond,
    long estimatedRemainingSeconds,
    Phase phase,
    String lastCheckpoint,
    String updatedAt) {

  /** The path of the progress endpoint on the trainer's status port. */
  public static final String PATH = "/progress";

  /** The trainer's status port (progress and Prometheus /metrics). */
  public static final int PORT = 9400;

  /** What the trainer is doing. */
  public enum Phase {
    @JsonProperty("loading")
    LOADING,
    @JsonProperty("training")
    TRAINING,
    @JsonProperty("checkpointing")
    CHECKPOINTING,
    @JsonProperty("exporting")
    EXPORTING,
    @JsonProperty("done")
    DONE
  }
}
