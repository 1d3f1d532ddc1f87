package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.testing.Fixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Packing must not change the loss: a packed row equals its samples run one by one. */
class PackedLossTest {
  @Test
  void packedRowLossIsTheTokenWeightedLossOfItsSamplesRunAlone() throws Exception {
    JsonNode batch = Fixtures.json(Fixtures.ROOT.resolve("train/batch.json"));
    long[] a = Fixtures.longs(batch.get("input_ids").get(0));
    long[] b = Fixtures.longs(batch.get("input_ids").get(1));
    long[] la = Fixtures.longs(batch.get("labels").get(0));
    long[] lb = Fixtures.longs(batch.get("labels").get(1));
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model("llama"), ModelLoader.Options.fp32())) {
      CausalLm model = loaded.model();
      // one row: sample a, sample b, 8 tokens of padding
      int len = a.length + b.length + 8;
      long[] ids = new long[len];
      long[] labels = new long[len];
      long[] positions = new long[len];
      int[] segments = new int[len];
      Arrays.fill(labels, -100);
      Arrays.fill(segments, -1);
      for (int t = 0; t < a.length; t++) {
        ids[t] = a[t];
        labels[t] = la[t];
        positions[t] = t;
        segments[t] = 0;
      }
      for (int t = 0; t < b.length; t++) {
        ids[a.length + t] = b[t];
        labels[a.length + t] = lb[t];
        positions[a.length + t] = t;
        segments[a.length + t] = 1;
      }
      NDArray hidden =
          model.hidden(
              manager.create(ids, new Shape(1, len)),
              manager.create(positions, new Shape(1, len)),
              AttentionMask.fromSegments(manager, new int[][] {segments}));
      double packed =
          CausalLmLoss.sum(model, hidden, manager.create(labels, new Shape(1, len))).getFloat();

      double aloneA = alone(manager, model, a, la);
      double aloneB = alone(manager, model, b, lb);
      long targets = CausalLmLoss.targetCount(new long[][] {la, lb});
      assertThat(Math.abs(packed - (aloneA + aloneB)) / (aloneA + aloneB)).isLessThan(1e-5);
      assertThat(Math.abs(packed / targets - batch.get("token_weighted_mean").asDouble()))
          .isLessThan(1e-5 * batch.get("token_weighted_mean").asDouble());
    }
  }

  private static double alone(NDManager manager, CausalLm model, long[] ids, long[] labels) {
    NDArray hidden =
        model.hidden(
            manager.create(ids, new Shape(1, ids.length)),
            manager.arange(0, ids.length, 1, DataType.INT64).reshape(1, -1),
            AttentionMask.causal());
    return CausalLmLoss.sum(model, hidden, manager.create(labels, new Shape(1, ids.length)))
        .getFloat();
  }
}
