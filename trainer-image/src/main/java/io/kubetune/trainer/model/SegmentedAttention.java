package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Aten;
import java.util.ArrayList;
import java.util.List;

/**
 * Attention over packed rows, one sample at a time: each run of positions with the same segment id
 * gets plain causal attention over itself, and padding gets zeros. The same result as the
 * block-diagonal mask for every real position, at the cost of the samples' own lengths squared
 * instead of the row's, and with the fused causal kernel.
 */
final class SegmentedAttention {
  private SegmentedAttention() {}

  /** q [B, H, T, D], k and v [B, Hkv, T, D], segments [B][T]. */
  static NDArray attend(
      AttentionBackend backend, NDArray q, NDArray k, NDArray v, int[][] segments) {
    List<NDArray> rows = new ArrayList<>();
    for (int b = 0; b < segments.length; b++) {
      NDArray qb = Aten.narrow(q, 0, b, 1);
      NDArray kb = Aten.narrow(k, 0, b, 1);
      NDArray vb = Aten.narrow(v, 0, b, 1);
      NDList pieces = new NDList();
      int[] row = segments[b];
      int start = 0;
      while (start < row.length) {
        int end = start + 1;
        while (end < row.length && row[end] == row[start]) {
          end++;
        }
        int len = end - start;
        if (row[start] < 0) {
          Shape shape = new Shape(1, q.getShape().get(1), len, q.getShape().get(3));
          pieces.add(Aten.to(q.getManager().zeros(shape), Aten.dtype(q)));
        } else {
          pieces.add(
              backend.attend(
                  Aten.narrow(qb, 2, start, len),
                  Aten.narrow(kb, 2, start, len),
                  Aten.narrow(vb, 2, start, len),
                  null,
                  true));
        }
        start = end;
      }
      rows.add(pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces, 2));
    }
    return rows.size() == 1 ? rows.get(0) : NDArrays.concat(new NDList(rows), 0);
  }
}
