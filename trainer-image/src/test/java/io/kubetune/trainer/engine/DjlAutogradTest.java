package io.kubetune.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The bundled libtorch loads offline and computes gradients on the CPU. */
class DjlAutogradTest {

  @Test
  void bundledLibtorchLoadsWithoutNetwork() {
    Engine engine = Engine.getEngine("PyTorch");
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    assertThat(engine.getVersion()).isEqualTo("2.7.1");
    assertThat(engine.defaultDevice().isGpu()).isFalse();
  }

  @Test
  void gradientOfASumOfSquaresIsTwiceTheInputTimesTheWeights() {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager manager = engine.newBaseManager()) {
      NDArray w = manager.create(new float[] {1f, -2f, 3f, 0.5f}, new Shape(2, 2));
      NDArray x = manager.create(new float[] {0.5f, 1f, -1f, 2f}, new Shape(2, 2));
      w.setRequiresGradient(true);
      float loss;
      try (GradientCollector collector = engine.newGradientCollector()) {
        NDArray y = w.mul(w).mul(x).sum(); // sum(w^2 * x): dy/dw = 2 w x
        loss = y.getFloat();
        collector.backward(y);
      }
      assertThat(loss).isEqualTo(1f * 0.5f + 4f * 1f + 9f * -1f + 0.25f * 2f);
      assertThat(w.getGradient().toFloatArray()).containsExactly(1f, -4f, -6f, 2f);
    }
  }

  @Test
  void matmulGradientMatchesTheClosedForm() {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager manager = engine.newBaseManager()) {
      NDArray a = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
      NDArray b = manager.create(new float[] {1, 0, -1, 2, 0.5f, 1}, new Shape(3, 2));
      b.setRequiresGradient(true);
      try (GradientCollector collector = engine.newGradientCollector()) {
        collector.backward(a.matMul(b).sum());
      }
      // d sum(A B) / dB[k][j] = sum_i A[i][k]: column sums of A, repeated across j
      assertThat(b.getGradient().toFloatArray()).containsExactly(5f, 5f, 7f, 7f, 9f, 9f);
    }
  }
}
