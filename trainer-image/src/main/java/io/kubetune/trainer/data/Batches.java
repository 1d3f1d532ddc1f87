package io.kubetune.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds {@link Batch}es: padded (one sample per row) or packed (several per row). */
public final class Batches {
  private Batches() {}

  /** One sample per row, right-padded to the longest sample. */
  public static Batch padded(List<EncodedSample> samples, int padId) {
    int columns = samples.stream().mapToInt(EncodedSample::length).max().orElse(0);
    return build(samples.stream().map(List::of).toList(), columns, padId);
  }

  /**
   * Rows of samples packed one after the other, each row right-padded to {@code maxLength}; a
   * sample longer than maxLength is cut to it (head kept).
   *
   * @throws IllegalArgumentException when a row holds more than maxLength tokens
   */
  public static Batch packed(List<List<EncodedSample>> rows, int maxLength, int padId) {
    return build(rows, maxLength, padId);
  }

  private static Batch build(List<List<EncodedSample>> rows, int columns, int padId) {
    int[] ids = new int[rows.size() * columns];
    int[] labels = new int[ids.length];
    int[] positions = new int[ids.length];
    int[] segments = new int[ids.length];
    Arrays.fill(ids, padId);
    Arrays.fill(labels, EncodedSample.IGNORE_INDEX);
    Arrays.fill(segments, Batch.PAD_SEGMENT);
    int samples = 0;
    List<EncodedSample.PlacedImage> images = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      int at = r * columns;
      int end = at + columns;
      int segment = 0;
      for (EncodedSample s : rows.get(r)) {
        EncodedSample sample = s.truncate(columns);
        if (at + sample.length() > end) {
          throw new IllegalArgumentException(
              "row " + r + " holds more than " + columns + " tokens");
        }
        for (int p = 0; p < sample.length(); p++) {
          ids[at + p] = sample.inputId(p);
          // the first label of a sample is never a target (see Batch): no cross-sample target
          labels[at + p] = p == 0 ? EncodedSample.IGNORE_INDEX : sample.label(p);
          positions[at + p] = p;
          segments[at + p] = segment;
        }
        for (EncodedSample.PlacedImage image : sample.images()) {
          images.add(
              new EncodedSample.PlacedImage(
                  image.file(), image.origin(), at + image.start(), image.tokens()));
        }
        at += sample.length();
        segment++;
        samples++;
      }
    }
    return new Batch(rows.size(), columns, ids, labels, positions, segments, samples, images);
  }
}
