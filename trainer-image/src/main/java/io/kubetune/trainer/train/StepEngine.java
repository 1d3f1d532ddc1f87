package io.kubetune.trainer.train;

import io.kubetune.trainer.data.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the training loop asks of the training state on this rank: one optimizer step, a checkpoint,
 * and access to the whole model for sampling. Every rank of a job calls these in the same order
 * with the same arguments (they may be collective).
 */
public interface StepEngine {
  /**
   * One optimizer step over the step's micro-batches of the whole job (every rank gets the same
   * list and computes its own share); the loss is token-weighted over all of them.
   */
  CheckpointState.StepRecord step(long step, List<Batch> microBatches, double learningRate);

  /** This rank's figures for the last step. */
  RankFigures figures();

  /** Optimizer steps taken. */
  long optimizerStep();

  /** Writes a checkpoint (every rank its shard); returns its folder. */
  Path save(CheckpointStore store, CheckpointState state) throws IOException;

  /** Runs body with every parameter of the model in place (ZeRO-3 gathers them around it). */
  <T> T withFullModel(Supplier<T> body);
}
