package io.kubetune.trainer.data;

import io.kubetune.api.TrainingSpec;

/**
 * How samples become batches.
 *
 * @param microBatchSize rows per batch
 * @param maxLength tokens per packed row (and the cap for any sample)
 * @param packing pack several samples per row, or one sample per row padded to the longest
 * @param padId the id written in padding positions (never attended to by real tokens, no loss)
 * @param seed the shuffle seed
 * @param epochs passes over the data
 */
public record BatchOptions(
    int microBatchSize, int maxLength, boolean packing, int padId, long seed, int epochs) {

  public BatchOptions {
    if (microBatchSize < 1 || maxLength < 1 || epochs < 1) {
      throw new IllegalArgumentException(
          "microBatchSize, maxLength and epochs must be positive: " + this);
    }
  }

  public static BatchOptions of(TrainingSpec training, int padId) {
    return new BatchOptions(
        training.microBatchSize(),
        training.maxLength(),
        training.packing(),
        padId,
        training.seed(),
        training.epochs());
  }
}
