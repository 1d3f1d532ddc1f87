package io.kubetune.trainer.data;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A tokenized sample: input ids and, aligned with them, labels ({@link #IGNORE_INDEX} where there
 * is no loss). As in transformers, label[t] is the target for the logits at t-1: the runtime
 * shifts. Every encoder here supervises a token by its own id, so labels are stored as one bit per
 * token (about 4 bytes per token in all), which keeps large datasets in memory as token arrays.
 *
 * <p>Immutable: accessors return copies or single values.
 */
public final class EncodedSample {
  /** The label of a position without loss (PyTorch's CrossEntropyLoss ignore_index). */
  public static final int IGNORE_INDEX = -100;

  private final int[] ids;
  private final BitSet loss;
  private final int lossTokens;

  private EncodedSample(int[] ids, BitSet loss) {
    this.ids = ids;
    this.loss = loss;
    this.lossTokens = loss.cardinality();
  }

  /**
   * @param labels same length as ids; each label is IGNORE_INDEX or the id at its position
   */
  public static EncodedSample of(int[] ids, int[] labels) {
    if (ids.length != labels.length) {
      throw new IllegalArgumentException(
          "ids and labels differ in length: " + ids.length + " vs " + labels.length);
    }
    BitSet loss = new BitSet(ids.length);
    for (int i = 0; i < ids.length; i++) {
      if (labels[i] == ids[i]) {
        loss.set(i);
      } else if (labels[i] != IGNORE_INDEX) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " at " + i + " is neither -100 nor the input id " + ids[i]);
      }
    }
    return new EncodedSample(ids.clone(), loss);
  }

  public int length() {
    return ids.length;
  }

  public int inputId(int position) {
    return ids[position];
  }

  public int label(int position) {
    return loss.get(position) ? ids[position] : IGNORE_INDEX;
  }

  public boolean hasLoss(int position) {
    return loss.get(position);
  }

  /** The number of positions with a label. */
  public int lossTokens() {
    return lossTokens;
  }

  public int[] inputIds() {
    return ids.clone();
  }

  public int[] labels() {
    int[] labels = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      labels[i] = label(i);
    }
    return labels;
  }

  /** The first {@code maxLength} tokens (XTuner's encode_fn keeps the head). */
  public EncodedSample truncate(int maxLength) {
    if (ids.length <= maxLength) {
      return this;
    }
    return new EncodedSample(Arrays.copyOf(ids, maxLength), loss.get(0, maxLength));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodedSample e && Arrays.equals(ids, e.ids) && loss.equals(e.loss);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids) * 31 + loss.hashCode();
  }

  @Override
  public String toString() {
    return "EncodedSample{ids="
        + Arrays.toString(ids)
        + ", labels="
        + Arrays.toString(labels())
        + "}";
  }
}
