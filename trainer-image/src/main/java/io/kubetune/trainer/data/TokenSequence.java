package io.kubetune.trainer.data;

import java.util.Arrays;

/** A growable pair of id and label arrays, for the encoders. */
final class TokenSequence {
  private int[] ids = new int[256];
  private int[] labels = new int[256];
  private int size;

  void add(int[] pieceIds, boolean withLoss) {
    ensure(size + pieceIds.length);
    for (int id : pieceIds) {
      ids[size] = id;
      labels[size] = withLoss ? id : EncodedSample.IGNORE_INDEX;
      size++;
    }
  }

  EncodedSample toSample() {
    return EncodedSample.of(Arrays.copyOf(ids, size), Arrays.copyOf(labels, size));
  }

  private void ensure(int capacity) {
    if (capacity > ids.length) {
      int n = Math.max(capacity, ids.length * 2);
      ids = Arrays.copyOf(ids, n);
      labels = Arrays.copyOf(labels, n);
    }
  }
}
