package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;

/**
 * The reference: explicit repeat of k and v per query group, scores, an additive mask, softmax in
 * fp32 (as transformers' eager attention), then the weighted sum. Slow and memory-hungry on
 * purpose: it is what the fused path is checked against.
 */
public final class NaiveAttention implements AttentionBackend {
  private static final float MASKED = -1e30f;

  @Override
  public NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, boolean causal) {
    long heads = q.getShape().get(1);
    long kvHeads = k.getShape().get(1);
    long queries = q.getShape().get(2);
    long keys = k.getShape().get(2);
    Dtype dtype = Aten.dtype(q);
    if (heads != kvHeads) {
      k = k.repeat(1, heads / kvHeads);
      v = v.repeat(1, heads / kvHeads);
    }
    NDArray scale = Tensors.scalar(q.getManager(), (float) (1.0 / Math.sqrt(q.getShape().get(3))));
    // scaled in the compute dtype, then softmax in fp32: the order transformers' eager path uses
    NDArray scores =
        Aten.to(q.matMul(k.transpose(0, 1, 3, 2)).mul(Aten.to(scale, dtype)), Dtype.F32);
    NDArray allowed = mask;
    if (allowed == null && causal) {
      NDArray rows = q.getManager().arange(0, (int) queries, 1, DataType.INT64).reshape(-1, 1);
      NDArray cols = q.getManager().arange(0, (int) keys, 1, DataType.INT64).reshape(1, -1);
      allowed = cols.lte(rows);
    }
    if (allowed != null) {
      NDArray penalty = Tensors.scalar(q.getManager(), MASKED);
      scores = scores.add(allowed.logicalNot().toType(DataType.FLOAT32, false).mul(penalty));
    }
    NDArray weights = Aten.to(scores.softmax(-1), dtype);
    return weights.matMul(v);
  }
}
