package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.kubetune.trainer.torch.Aten;

/**
 * Multi-head attention with grouped-query heads and rotary positions. Separate q, k, v projections
 * (Llama, Qwen2) or one packed wqkv (InternLM2: per kv head, its group of query heads, then its
 * key, then its value).
 *
 * @param q null when packed
 * @param qkv null unless packed
 */
public record Attention(ModelConfig config, Linear q, Linear k, Linear v, Linear qkv, Linear o) {

  NDArray forward(
      NDArray x, NDArray cos, NDArray sin, KvView kv, int layer, AttentionBackend backend) {
    long batch = x.getShape().get(0);
    long len = x.getShape().get(1);
    int heads = config.numHeads();
    int kvHeads = config.numKvHeads();
    int dim = config.headDim();
    NDArray queries;
    NDArray keys;
    NDArray values;
    if (qkv != null) {
      int groups = config.kvGroups();
      NDArray packed = qkv.apply(x).reshape(batch, len, kvHeads, groups + 2, dim);
      queries = Aten.narrow(packed, 3, 0, groups).reshape(batch, len, heads, dim);
      keys = Aten.narrow(packed, 3, groups, 1).reshape(batch, len, kvHeads, dim);
      values = Aten.narrow(packed, 3, groups + 1, 1).reshape(batch, len, kvHeads, dim);
    } else {
      queries = q.apply(x).reshape(batch, len, heads, dim);
      keys = k.apply(x).reshape(batch, len, kvHeads, dim);
      values = v.apply(x).reshape(batch, len, kvHeads, dim);
    }
    queries = RotaryEmbedding.apply(queries.transpose(0, 2, 1, 3), cos, sin);
    keys = RotaryEmbedding.apply(keys.transpose(0, 2, 1, 3), cos, sin);
    values = values.transpose(0, 2, 1, 3);
    NDList attended = kv.keysValues(layer, keys, values);
    NDArray out =
        kv.segments() != null
            ? SegmentedAttention.attend(
                backend, queries, attended.get(0), attended.get(1), kv.segments())
            : backend.attend(queries, attended.get(0), attended.get(1), kv.mask(), kv.causal());
    return o.apply(out.transpose(0, 2, 1, 3).reshape(batch, len, (long) heads * dim));
  }
}
