package io.kubetune.trainer.data;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

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

  /**
   * An image whose features take tokens [start, start + tokens) (LLaVA's placeholders).
   *
   * @param file the image file
   * @param origin where the sample came from (file:line), for errors about the image
   */
  public record PlacedImage(String file, String origin, int start, int tokens) {}

  private final int[] ids;
  private final BitSet loss;
  private final int lossTokens;
  private final List<PlacedImage> images;

  private EncodedSample(int[] ids, BitSet loss) {
    this(ids, loss, List.of());
  }

  private EncodedSample(int[] ids, BitSet loss, List<PlacedImage> images) {
    this.ids = ids;
    this.loss = loss;
    this.lossTokens = loss.cardinality();
    this.images = List.copyOf(images);
  }

  /** The same tokens with images placed on them (their placeholders hold no loss). */
  public EncodedSample withImages(List<PlacedImage> placed) {
    for (PlacedImage p : placed) {
      if (p.start() < 0
          || p.start() + p.tokens() > ids.length
          || !loss.get(p.start(), p.start() + p.tokens()).isEmpty()) {
        throw new IllegalArgumentException("image tokens outside the sample or with a loss: " + p);
      }
    }
    return new EncodedSample(ids, loss, placed);
  }

  /** The same sample with its images' origin (file:line) recorded, for errors in training. */
  public EncodedSample withOrigin(String origin) {
    if (images.isEmpty()) {
      return this;
    }
    List<PlacedImage> out = new java.util.ArrayList<>();
    images.forEach(p -> out.add(new PlacedImage(p.file(), origin, p.start(), p.tokens())));
    return new EncodedSample(ids, loss, out);
  }

  /** The images of this sample, in token order. */
  public List<PlacedImage> images() {
    return images;
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

  /**
   * The first {@code maxLength} tokens (XTuner's encode_fn keeps the head). An image whose
   * placeholders would be cut is left out with everything after it: its features come whole.
   */
  public EncodedSample truncate(int maxLength) {
    if (ids.length <= maxLength) {
      return this;
    }
    int cut = maxLength;
    List<PlacedImage> kept = new java.util.ArrayList<>();
    for (PlacedImage p : images) {
      if (p.start() + p.tokens() <= cut) {
        kept.add(p);
      } else {
        cut = Math.min(cut, p.start());
      }
    }
    return new EncodedSample(Arrays.copyOf(ids, cut), loss.get(0, cut), kept);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodedSample e
        && Arrays.equals(ids, e.ids)
        && loss.equals(e.loss)
        && images.equals(e.images);
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
