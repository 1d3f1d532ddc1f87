package io.kubetune.trainer.train;

import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.data.DatasetStats;
import java.nio.file.Path;
import java.util.List;

/** Follows a training run: progress display, status endpoint, metrics. */
public interface TrainingListener {
  /** What the data loader counted per dataset (loaded, skipped, truncated...). */
  default void onDatasets(List<DatasetStats> stats) {}

  /** Every change of progress (each step, and each phase change). */
  default void onProgress(TrainingProgress progress) {}

  /** After each optimizer step. */
  default void onStep(CheckpointState.StepRecord record, TrainingProgress progress) {}

  default void onCheckpoint(Path dir) {}

  /** This rank's own figures, after each step (every rank of a job reports its own). */
  default void onRankStep(RankFigures figures) {}

  /** A sampled reply to one of the spec's evaluation prompts. */
  default void onEvaluation(long step, String prompt, String reply) {}
}
