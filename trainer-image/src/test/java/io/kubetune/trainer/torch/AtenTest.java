package io.kubetune.trainer.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatcher-backed ops against closed forms or DJL's own ops. */
class AtenTest {
  private final NDManager m = NDManager.newBaseManager("PyTorch");

  @AfterEach
  void close() {
    m.close();
  }

  @Test
  void castsToBf16AndBackDifferentiably() {
    NDArray x = m.create(new float[] {1.5f, -2.25f, 3.0f});
    x.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray b = Aten.to(x, Dtype.BF16);
      assertThat(Aten.dtype(b)).isEqualTo(Dtype.BF16);
      NDArray back = Aten.to(b.add(b), Dtype.F32);
      assertThat(back.toFloatArray()).containsExactly(3.0f, -4.5f, 6.0f);
      gc.backward(back.sum());
    }
    assertThat(x.getGradient().toFloatArray()).containsExactly(2f, 2f, 2f);
  }

  @Test
  void requiresGradHoldsForLeavesAndRecordedResultsOnly() {
    NDArray x = m.create(new float[] {1f, 2f});
    NDArray plain = m.create(new float[] {3f, 4f});
    x.setRequiresGradient(true);
    assertThat(Aten.requiresGrad(x)).isTrue();
    assertThat(Aten.requiresGrad(plain)).isFalse();
    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
      assertThat(Aten.requiresGrad(x.mul(2))).isTrue();
      assertThat(Aten.requiresGrad(Aten.linear(plain.reshape(1, 2), x.reshape(1, 2), null)))
          .isTrue();
      assertThat(Aten.requiresGrad(plain.mul(2))).isFalse();
      assertThat(Aten.requiresGrad(Aten.noGrad(() -> x.mul(2)))).isFalse();
      assertThat(Aten.requiresGrad(x.stopGradient())).isFalse();
    }
  }

  @Test
  void linearWithBiasMatchesMatmul() {
    NDArray x = m.randomNormal(new Shape(2, 3, 4));
    NDArray w = m.randomNormal(new Shape(5, 4));
    NDArray b = m.randomNormal(new Shape(5));
    NDArray expected = x.matMul(w.transpose()).add(b);
    assertClose(Aten.linear(x, w, b), expected, 1e-5);
    assertClose(Aten.linear(x, w, null), x.matMul(w.transpose()), 1e-5);
  }

  @Test
  void sdpaWithABooleanMaskMatchesExplicitSoftmax() {
    NDArray q = m.randomNormal(new Shape(1, 2, 3, 4));
    NDArray k = m.randomNormal(new Shape(1, 2, 5, 4));
    NDArray v = m.randomNormal(new Shape(1, 2, 5, 4));
    boolean[] allowed = {
      true, true, false, false, false, true, true, true, false, false, true, true, true, true, false
    };
    NDArray mask = m.create(allowed, new Shape(1, 1, 3, 5));
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(m.create(2f));
    NDArray bias = mask.logicalNot().toType(DataType.FLOAT32, false).mul(m.create(-1e9f));
    NDArray expected = scores.add(bias).softmax(-1).matMul(v);
    assertClose(Aten.scaledDotProductAttention(q, k, v, mask, false, false), expected, 1e-5);
  }

  @Test
  void crossEntropyIgnoresTheIgnoreIndex() {
    NDArray logits = m.create(new float[] {2f, 0f, 0f, 0f, 3f, 0f}, new Shape(2, 3));
    NDArray targets = m.create(new long[] {0, -100});
    double expected = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
    NDArray sum = Aten.crossEntropy(logits, targets, -100, Aten.Reduction.SUM);
    assertThat((double) sum.getFloat()).isCloseTo(expected, within(1e-6));
  }

  @Test
  void narrowIsAViewThatCopyIntoWrites() {
    NDArray x = m.zeros(new Shape(2, 4));
    Aten.copyInto(Aten.narrow(x, 1, 1, 2), m.ones(new Shape(2, 2)));
    assertThat(x.toFloatArray()).containsExactly(0, 1, 1, 0, 0, 1, 1, 0);
  }

  @Test
  void fromAddressAliasesMemory() {
    NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
    NDArray alias = Aten.fromAddress(m, Aten.dataAddress(x), new Shape(3, 2), Dtype.F32);
    x.muli(m.create(2f));
    assertThat(alias.toFloatArray()).containsExactly(2, 4, 6, 8, 10, 12);
  }

  static void assertClose(NDArray actual, NDArray expected, double tol) {
    assertThat(actual.getShape()).isEqualTo(expected.getShape());
    float diff = actual.sub(expected).abs().max().getFloat();
    assertThat((double) diff).isLessThanOrEqualTo(tol);
  }
}
