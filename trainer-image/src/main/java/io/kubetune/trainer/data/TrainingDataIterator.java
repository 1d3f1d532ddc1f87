package io.kubetune.trainer.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * The batches of a training run: the samples of all datasets mixed, shuffled per epoch with the
 * spec's seed, cut into micro-batches (packed or padded), epoch after epoch. Deterministic: the
 * same datasets, options and position give the same batches, on any JVM ({@link java.util.Random}'s
 * algorithm is specified).
 *
 * <p>Shuffling: epoch e's order is a Fisher-Yates shuffle of all samples (datasets concatenated in
 * spec order) driven by {@code new Random(seed ^ (0x9E3779B97F4A7C15 * (e + 1)))}. A batch never
 * spans two epochs, so an epoch's last batch may have fewer rows (padded) or shorter rows.
 *
 * <p>Packing is greedy in shuffled order: samples go into the current row while they fit; the first
 * that does not fit starts the next row. {@link #position()} is therefore always the first sample
 * not yet in a batch, and resuming from it reproduces the rest of the run exactly.
 *
 * <p>Not thread-safe; one per training process.
 */
public final class TrainingDataIterator implements Iterator<Batch> {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final List<EncodedSample> samples;
  private final BatchOptions options;
  private int epoch;
  private int index;
  private int[] order;
  private int orderEpoch = -1;

  /**
   * @param start where to begin: {@link DataPosition#START}, or a checkpoint's position
   * @throws IllegalArgumentException when start lies outside these datasets (e.g. they changed
   *     since the checkpoint)
   */
  public TrainingDataIterator(
      List<LoadedDataset> datasets, BatchOptions options, DataPosition start) {
    List<EncodedSample> all = new ArrayList<>();
    datasets.forEach(d -> all.addAll(d.samples()));
    this.samples = List.copyOf(all);
    this.options = options;
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples to train on");
    }
    if (start.index() > samples.size() || start.epoch() > options.epochs()) {
      throw new IllegalArgumentException(
          "data position "
              + start
              + " is outside the data ("
              + samples.size()
              + " samples, "
              + options.epochs()
              + " epochs): did the datasets change since the checkpoint?");
    }
    this.epoch = start.epoch();
    this.index = start.index();
    normalize();
  }

  /** Where the next batch starts; record it with a checkpoint. */
  public DataPosition position() {
    return new DataPosition(epoch, index);
  }

  /** All samples of all datasets. */
  public int sampleCount() {
    return samples.size();
  }

  @Override
  public boolean hasNext() {
    return epoch < options.epochs();
  }

  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException("all " + options.epochs() + " epochs are done");
    }
    int[] o = order(epoch);
    Batch batch;
    if (options.packing()) {
      List<List<EncodedSample>> rows = new ArrayList<>();
      while (rows.size() < options.microBatchSize() && index < o.length) {
        List<EncodedSample> row = new ArrayList<>();
        int used = 0;
        while (index < o.length) {
          int len = Math.min(samples.get(o[index]).length(), options.maxLength());
          if (used + len > options.maxLength()) {
            break;
          }
          row.add(samples.get(o[index++]));
          used += len;
        }
        rows.add(row);
      }
      batch = Batches.packed(rows, options.maxLength(), options.padId());
    } else {
      List<EncodedSample> rows = new ArrayList<>();
      while (rows.size() < options.microBatchSize() && index < o.length) {
        rows.add(samples.get(o[index++]).truncate(options.maxLength()));
      }
      batch = Batches.padded(rows, options.padId());
    }
    normalize();
    return batch;
  }

  /** The number of batches epoch {@code e} yields (from its start), for schedules and ETA. */
  public int batchesInEpoch(int e) {
    if (!options.packing()) {
      return (samples.size() + options.microBatchSize() - 1) / options.microBatchSize();
    }
    int[] o = shuffled(e);
    int rows = 0;
    int used = options.maxLength() + 1; // forces a new row for the first sample
    for (int i : o) {
      int len = Math.min(samples.get(i).length(), options.maxLength());
      if (used + len > options.maxLength()) {
        rows++;
        used = 0;
      }
      used += len;
    }
    return (rows + options.microBatchSize() - 1) / options.microBatchSize();
  }

  private void normalize() {
    if (index >= samples.size()) {
      epoch++;
      index = 0;
    }
  }

  private int[] order(int e) {
    if (orderEpoch != e) {
      order = shuffled(e);
      orderEpoch = e;
    }
    return order;
  }

  private int[] shuffled(int e) {
    int[] o = new int[samples.size()];
    for (int i = 0; i < o.length; i++) {
      o[i] = i;
    }
    Random random = new Random(options.seed() ^ (GOLDEN * (e + 1)));
    for (int i = o.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    return o;
  }
}
