package io.kubetune.trainer.data;

import java.util.Arrays;
import java.util.List;

/**
 * One micro-batch for the training loop: {@code rows x columns} arrays, row-major.
 *
 * <p><b>Labels and the shift.</b> Labels are aligned with input ids, as in transformers: the loss
 * compares the logits at {@code [b, t]} with {@code labels[b, t + 1]} for {@code t < columns - 1}
 * (the runtime shifts inside each row) and averages over the targets that are not {@link
 * EncodedSample#IGNORE_INDEX}. The first position of every sample carries -100: nothing in the
 * sample predicts its first token, and in a packed row that label would otherwise be the target of
 * the previous sample's last token. So no target ever crosses from one sample into the next (or
 * into padding), and {@link #lossTokens()} (the labels that are not -100) is exactly the number of
 * targets of the shifted loss.
 *
 * <p><b>Attention.</b> {@code segmentIds} number the samples of a row 0, 1, 2...; padding is {@link
 * #PAD_SEGMENT}. Position i may attend to position j iff {@code segment[i] == segment[j]} and
 * {@code j <= i}: causal and block-diagonal, so attention stays inside each sample. Padding attends
 * only to earlier padding (never to a real token, and never to nothing, so no row of the attention
 * is empty). {@code positionIds} restart at 0 for each sample (RoPE positions); padding has
 * position 0 and label -100. An unpacked batch is the same with one sample per row; {@link
 * #attentionMask()} gives transformers' 1/0 mask for it.
 *
 * <p>Immutable: accessors return copies.
 */
public final class Batch {
  /** The segment id of padding positions. */
  public static final int PAD_SEGMENT = -1;

  private final int rows;
  private final int columns;
  private final int[] inputIds;
  private final int[] labels;
  private final int[] positionIds;
  private final int[] segmentIds;
  private final int samples;
  private final int lossTokens;
  private final int tokens;
  private final List<EncodedSample.PlacedImage> images;

  Batch(
      int rows,
      int columns,
      int[] inputIds,
      int[] labels,
      int[] positionIds,
      int[] segmentIds,
      int samples) {
    this(rows, columns, inputIds, labels, positionIds, segmentIds, samples, List.of());
  }

  Batch(
      int rows,
      int columns,
      int[] inputIds,
      int[] labels,
      int[] positionIds,
      int[] segmentIds,
      int samples,
      List<EncodedSample.PlacedImage> images) {
    this.images = List.copyOf(images);
    this.rows = rows;
    this.columns = columns;
    this.inputIds = inputIds;
    this.labels = labels;
    this.positionIds = positionIds;
    this.segmentIds = segmentIds;
    this.samples = samples;
    this.lossTokens =
        (int) Arrays.stream(labels).filter(l -> l != EncodedSample.IGNORE_INDEX).count();
    this.tokens = (int) Arrays.stream(segmentIds).filter(s -> s != PAD_SEGMENT).count();
  }

  /** B */
  public int rows() {
    return rows;
  }

  /** T */
  public int columns() {
    return columns;
  }

  /** [B*T] row-major. */
  public int[] inputIds() {
    return inputIds.clone();
  }

  /** [B*T] row-major, aligned with input ids (see the class comment for the shift). */
  public int[] labels() {
    return labels.clone();
  }

  /** [B*T] row-major; 0 at the start of every sample. */
  public int[] positionIds() {
    return positionIds.clone();
  }

  /** [B*T] row-major; the sample's index within its row, {@link #PAD_SEGMENT} for padding. */
  public int[] segmentIds() {
    return segmentIds.clone();
  }

  /** [B*T] row-major; 1 for real tokens, 0 for padding. */
  public int[] attentionMask() {
    int[] mask = new int[segmentIds.length];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = segmentIds[i] == PAD_SEGMENT ? 0 : 1;
    }
    return mask;
  }

  /** One row of a [B*T] array, e.g. {@code row(batch.inputIds(), 0)}. */
  public int[] row(int[] flat, int row) {
    return Arrays.copyOfRange(flat, row * columns, (row + 1) * columns);
  }

  /** The number of shifted targets: the loss is their sum divided by this (token-weighted mean). */
  public int lossTokens() {
    return lossTokens;
  }

  /** Real (non-padding) tokens, for tokens-per-second. */
  public int tokens() {
    return tokens;
  }

  /**
   * The images of the batch's samples in row-major token order (LLaVA's placeholders, each image's
   * start is its position in the flattened [B*T] arrays).
   */
  public List<EncodedSample.PlacedImage> images() {
    return images;
  }

  /** Samples in this batch. */
  public int samples() {
    return samples;
  }
}
