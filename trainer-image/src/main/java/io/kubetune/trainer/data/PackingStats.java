package io.kubetune.trainer.data;

/**
 * How the first epoch's micro-batches use their token slots, from the batches training itself makes
 * ({@link TrainingData#batches}): packed rows (or padded ones without packing) of the spec's
 * microBatchSize x maxLength.
 *
 * @param batches micro-batches in the epoch
 * @param rows sequences (rows) in them
 * @param tokens real tokens in them
 * @param slots token slots (rows x columns), padding included
 */
public record PackingStats(long batches, long rows, long tokens, long slots) {

  /** Walks epoch 1 of the data's batches. */
  public static PackingStats firstEpoch(TrainingData data) {
    TrainingDataIterator batches = data.batches(DataPosition.START);
    long count = 0;
    long rows = 0;
    long tokens = 0;
    long slots = 0;
    while (batches.hasNext() && batches.position().epoch() == 0) {
      Batch b = batches.next();
      count++;
      rows += b.rows();
      tokens += b.tokens();
      slots += (long) b.rows() * b.columns();
    }
    return new PackingStats(count, rows, tokens, slots);
  }

  /** The share of token slots that hold a real token (1: no padding at all). */
  public double efficiency() {
    return slots == 0 ? 0 : (double) tokens / slots;
  }
}
