package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused attention against the naive reference: outputs and gradients. */
class AttentionParityTest {
  private static final double TOLERANCE = 1e-5;
  private final NDManager manager = NDManager.newBaseManager("PyTorch");

  @AfterEach
  void close() {
    manager.close();
  }

  @ParameterizedTest(name = "T={0} heads={1}/{2} packed={3}")
  @CsvSource({
    "1, 4, 4, false",
    "7, 4, 4, false",
    "64, 8, 2, false",
    "257, 8, 2, false",
    "96, 8, 2, true",
    "300, 4, 1, true",
  })
  void sdpaMatchesNaiveInOutputAndGradients(int len, int heads, int kvHeads, boolean packed) {
    Engine.getEngine("PyTorch").setRandomSeed(len * 31 + heads);
    int batch = 2;
    int dim = 16;
    NDArray q = manager.randomNormal(new Shape(batch, heads, len, dim));
    NDArray k = manager.randomNormal(new Shape(batch, kvHeads, len, dim));
    NDArray v = manager.randomNormal(new Shape(batch, kvHeads, len, dim));
    NDArray upstream = manager.randomNormal(new Shape(batch, heads, len, dim));
    AttentionMask mask = packed ? packedMask(batch, len) : AttentionMask.causal();

    List<float[]> naive = run(new NaiveAttention(), q, k, v, upstream, mask);
    List<float[]> sdpa = run(new SdpaAttention(), q, k, v, upstream, mask);

    String[] what = {"output", "dq", "dk", "dv"};
    for (int i = 0; i < what.length; i++) {
      assertThat(maxAbsDiff(sdpa.get(i), naive.get(i))).as(what[i]).isLessThan(TOLERANCE);
    }
  }

  /**
   * Queries over a longer run of keys, as in cached passes: single-token decoding (no mask) and
   * several new tokens per row at different cache positions (a mask per row), grouped heads
   * included.
   */
  @ParameterizedTest(name = "T={0} S={1} heads={2}/{3} masked={4}")
  @CsvSource({
    "1, 40, 8, 2, false",
    "1, 40, 8, 2, true",
    "1, 40, 4, 4, true",
    "5, 40, 8, 2, true",
    "5, 40, 6, 3, true",
    "5, 40, 4, 4, true",
  })
  void sdpaMatchesNaiveOverCachedKeys(int len, int keys, int heads, int kvHeads, boolean masked) {
    Engine.getEngine("PyTorch").setRandomSeed(len * 17 + keys + heads);
    int batch = 3;
    int dim = 16;
    NDArray q = manager.randomNormal(new Shape(batch, heads, len, dim));
    NDArray k = manager.randomNormal(new Shape(batch, kvHeads, keys, dim));
    NDArray v = manager.randomNormal(new Shape(batch, kvHeads, keys, dim));
    NDArray upstream = manager.randomNormal(new Shape(batch, heads, len, dim));
    NDArray mask = null;
    if (masked) {
      boolean[] allowed = new boolean[batch * len * keys];
      for (int b = 0; b < batch; b++) {
        int start = 10 + 9 * b; // row b's new tokens sit at start..start+len-1
        for (int t = 0; t < len; t++) {
          for (int s = 0; s <= start + t && s < keys; s++) {
            allowed[(b * len + t) * keys + s] = true;
          }
        }
      }
      mask = manager.create(allowed, new Shape(batch, 1, len, keys));
    }
    List<float[]> naive = run(new NaiveAttention(), q, k, v, upstream, mask, false);
    List<float[]> sdpa = run(new SdpaAttention(), q, k, v, upstream, mask, false);
    String[] what = {"output", "dq", "dk", "dv"};
    for (int i = 0; i < what.length; i++) {
      assertThat(maxAbsDiff(sdpa.get(i), naive.get(i))).as(what[i]).isLessThan(TOLERANCE);
    }
  }

  /** Each row holds three samples of different lengths, then padding. */
  private AttentionMask packedMask(int batch, int len) {
    int[][] segments = new int[batch][len];
    for (int b = 0; b < batch; b++) {
      int first = len / 3 + b;
      int second = len / 2;
      for (int t = 0; t < len; t++) {
        segments[b][t] = t < first ? 0 : t < second ? 1 : t < len - 5 ? 2 : -1;
      }
    }
    return AttentionMask.fromSegments(manager, segments);
  }

  private List<float[]> run(
      AttentionBackend backend,
      NDArray q0,
      NDArray k0,
      NDArray v0,
      NDArray upstream,
      AttentionMask mask) {
    return run(backend, q0, k0, v0, upstream, mask.mask(), mask.isCausal());
  }

  private List<float[]> run(
      AttentionBackend backend,
      NDArray q0,
      NDArray k0,
      NDArray v0,
      NDArray upstream,
      NDArray mask,
      boolean causal) {
    NDArray q = q0.duplicate();
    NDArray k = k0.duplicate();
    NDArray v = v0.duplicate();
    for (NDArray x : new NDArray[] {q, k, v}) {
      x.setRequiresGradient(true);
    }
    List<float[]> out = new ArrayList<>();
    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray o = backend.attend(q, k, v, mask, causal);
      out.add(o.toFloatArray());
      gc.backward(o.mul(upstream).sum());
    }
    out.add(q.getGradient().toFloatArray());
    out.add(k.getGradient().toFloatArray());
    out.add(v.getGradient().toFloatArray());
    return out;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
