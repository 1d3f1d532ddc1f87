package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.data.Batch;
import io.kubetune.trainer.data.EncodedSample;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.torch.Tensors;
import java.util.List;

/**
 * A data batch as tensors: ids, labels and positions [B, T] int64, and the attention mask (plain
 * causal when every row holds one unpadded sample, which lets SDPA use its fastest kernel).
 */
public record BatchTensors(
    NDArray inputIds,
    NDArray labels,
    NDArray positions,
    AttentionMask mask,
    List<EncodedSample.PlacedImage> images) {

  public static BatchTensors of(NDManager manager, Batch batch) {
    Shape shape = new Shape(batch.rows(), batch.columns());
    boolean plain =
        batch.samples() == batch.rows() && batch.tokens() == batch.rows() * (long) batch.columns();
    AttentionMask mask =
        plain
            ? AttentionMask.causal()
            : AttentionMask.fromSegments(manager, rows(batch, batch.segmentIds()));
    return new BatchTensors(
        int64(manager, batch.inputIds(), shape),
        int64(manager, batch.labels(), shape),
        int64(manager, batch.positionIds(), shape),
        mask,
        batch.images());
  }

  private static NDArray int64(NDManager manager, int[] flat, Shape shape) {
    long[] values = new long[flat.length];
    for (int i = 0; i < flat.length; i++) {
      values[i] = flat[i];
    }
    return Tensors.int64(manager, values, shape);
  }

  private static int[][] rows(Batch batch, int[] flat) {
    int[][] out = new int[batch.rows()][];
    for (int r = 0; r < batch.rows(); r++) {
      out[r] = batch.row(flat, r);
    }
    return out;
  }
}
