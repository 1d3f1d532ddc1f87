package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.kubetune.trainer.torch.Aten;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Attending sample by sample equals the block-diagonal mask at every real position. */
class SegmentedAttentionTest {
  private final NDManager manager = NDManager.newBaseManager("PyTorch");

  @AfterEach
  void close() {
    manager.close();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void sampleBySampleEqualsTheMaskInOutputsAndGradients(boolean naive) {
    AttentionBackend backend = naive ? new NaiveAttention() : new SdpaAttention();
    Engine.getEngine("PyTorch").setRandomSeed(11);
    int len = 40;
    // row 0: samples of 10, 1 and 29 tokens; row 1: 25 and 15 (no padding, so every gradient
    // counts)
    int[][] segments = new int[2][len];
    for (int t = 0; t < len; t++) {
      segments[0][t] = t < 10 ? 0 : t < 11 ? 1 : 2;
      segments[1][t] = t < 25 ? 0 : 1;
    }
    NDArray q = manager.randomNormal(new Shape(2, 4, len, 8));
    NDArray k = manager.randomNormal(new Shape(2, 2, len, 8));
    NDArray v = manager.randomNormal(new Shape(2, 2, len, 8));
    NDArray upstream = manager.randomNormal(new Shape(2, 4, len, 8));
    AttentionMask mask = AttentionMask.fromSegments(manager, segments);

    List<float[]> masked =
        run(q, k, v, upstream, x -> backend.attend(x[0], x[1], x[2], mask.mask(), false));
    List<float[]> segmented =
        run(q, k, v, upstream, x -> SegmentedAttention.attend(backend, x[0], x[1], x[2], segments));

    for (int i = 0; i < 4; i++) {
      assertThat(maxAbsDiff(segmented.get(i), masked.get(i))).as("tensor %d", i).isLessThan(1e-5);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void paddingGetsZerosAndRealPositionsMatch(boolean naive) {
    AttentionBackend backend = naive ? new NaiveAttention() : new SdpaAttention();
    int len = 12;
    int[][] segments = {{0, 0, 0, 0, 0, 1, 1, 1, -1, -1, -1, -1}};
    NDArray q = manager.randomNormal(new Shape(1, 2, len, 4));
    NDArray k = manager.randomNormal(new Shape(1, 2, len, 4));
    NDArray v = manager.randomNormal(new Shape(1, 2, len, 4));
    NDArray viaMask =
        backend.attend(q, k, v, AttentionMask.fromSegments(manager, segments).mask(), false);
    NDArray viaSegments = SegmentedAttention.attend(backend, q, k, v, segments);
    NDArray real = Aten.narrow(viaSegments, 2, 0, 8);
    assertThat((double) real.sub(Aten.narrow(viaMask, 2, 0, 8)).abs().max().getFloat())
        .isLessThan(1e-5);
    assertThat(Aten.narrow(viaSegments, 2, 8, 4).abs().max().getFloat()).isZero();
  }

  interface Attend {
    NDArray apply(NDArray[] qkv);
  }

  private List<float[]> run(NDArray q0, NDArray k0, NDArray v0, NDArray upstream, Attend attend) {
    NDArray[] x = {q0.duplicate(), k0.duplicate(), v0.duplicate()};
    for (NDArray t : x) {
      t.setRequiresGradient(true);
    }
    List<float[]> out = new ArrayList<>();
    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray o = attend.apply(x);
      out.add(o.toFloatArray());
      gc.backward(o.mul(upstream).sum());
    }
    for (NDArray t : x) {
      out.add(t.getGradient().toFloatArray());
    }
    return out;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
