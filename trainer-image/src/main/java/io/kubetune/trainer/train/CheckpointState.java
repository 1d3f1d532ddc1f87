package io.kubetune.trainer.train;

import io.kubetune.trainer.data.DataPosition;
import java.util.List;

/**
 * Everything besides tensors that a resumed run needs to continue exactly: where the data stream
 * is, the optimizer's step, and the loss history for the curve.
 *
 * @param step optimizer steps done
 * @param method full, lora or qlora: a checkpoint of another method cannot be resumed
 * @param trainableFingerprint names and shapes of the trainable tensors, to refuse a resume into a
 *     different model or adapter layout
 * @param history one entry per step done
 */
public record CheckpointState(
    long step,
    long totalSteps,
    DataPosition position,
    long optimizerStep,
    String method,
    String trainableFingerprint,
    List<StepRecord> history,
    String createdAt) {

  public CheckpointState {
    history = List.copyOf(history);
  }

  /** One optimizer step's figures. */
  public record StepRecord(
      long step, double loss, double learningRate, double gradNorm, long tokens) {}
}
