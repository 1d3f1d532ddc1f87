package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.testing.Fixtures.Reference;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our forward pass against transformers on the same checkpoints (fixtures/models). */
class ModelParityTest {
  private final NDManager manager = NDManager.newBaseManager("PyTorch");

  @AfterEach
  void close() {
    manager.close();
  }

  static List<String> models() {
    return Fixtures.MODELS;
  }

  @ParameterizedTest
  @MethodSource("models")
  void fp32LogitsMatchTransformers(String name) throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model(name), ModelLoader.Options.fp32());
        Reference ref = Reference.of(name)) {
      for (int p = 0; p < ref.prompts(); p++) {
        NDArray logits = logits(loaded.model(), ref.inputIds(p));
        NDArray expected = ref.tensor(manager, "logits." + p);
        assertThat(maxAbsDiff(logits, expected)).as("%s prompt %d", name, p).isLessThan(1e-4);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void hiddenStatesOfEveryLayerMatchTransformers(String name) throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model(name), ModelLoader.Options.fp32());
        Reference ref = Reference.of(name)) {
      long[] ids = ref.inputIds(0);
      List<NDArray> states =
          loaded.model().hiddenStates(ids(ids), positions(ids.length), AttentionMask.causal());
      assertThat(states).hasSize(loaded.config().numLayers() + 1);
      for (int l = 0; l < states.size(); l++) {
        NDArray expected = ref.tensor(manager, "hidden.0." + l);
        assertThat(maxAbsDiff(states.get(l).squeeze(0), expected))
            .as("layer %d", l)
            .isLessThan(1e-4);
      }
    }
  }

  /**
   * bf16 with the reference attention (transformers' eager order: scores in bf16, softmax in fp32)
   * against transformers run in bf16.
   */
  @ParameterizedTest
  @MethodSource("models")
  void bf16LogitsMatchTransformersInBf16(String name) throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model(name), ModelLoader.Options.bf16());
        Reference ref = Reference.of(name)) {
      CausalLm eagerOrder = loaded.model().withBackend(new NaiveAttention());
      for (int p = 0; p < ref.prompts(); p++) {
        NDArray logits = logits(eagerOrder, ref.inputIds(p));
        NDArray expected = ref.tensor(manager, "logits_bf16." + p);
        assertThat(relativeError(logits, expected)).as("%s prompt %d", name, p).isLessThan(2e-2);
      }
    }
  }

  /**
   * bf16 with the fused kernel accumulates differently from transformers' eager bf16 (both are 1-3%
   * from fp32 on these sharp random models), so it is held to accuracy instead: no further from the
   * fp32 reference than transformers' own bf16 result is (10% slack).
   */
  @ParameterizedTest
  @MethodSource("models")
  void bf16WithFusedAttentionIsAsAccurateAsTransformersBf16(String name) throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model(name), ModelLoader.Options.bf16());
        Reference ref = Reference.of(name)) {
      for (int p = 0; p < ref.prompts(); p++) {
        NDArray ours = logits(loaded.model(), ref.inputIds(p));
        NDArray fp32 = ref.tensor(manager, "logits." + p);
        double transformersError = relativeError(ref.tensor(manager, "logits_bf16." + p), fp32);
        assertThat(relativeError(ours, fp32))
            .as("%s prompt %d", name, p)
            .isLessThan(1.1 * transformersError);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void naiveAttentionGivesTheSameLogits(String name) throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model(name), ModelLoader.Options.fp32());
        Reference ref = Reference.of(name)) {
      long[] ids = ref.inputIds(2);
      NDArray sdpa = logits(loaded.model(), ids);
      NDArray naive = logits(loaded.model().withBackend(new NaiveAttention()), ids);
      assertThat(maxAbsDiff(sdpa, naive)).isLessThan(1e-5);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void ropeFrequenciesMatchTransformers(String name) throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model(name), ModelLoader.Options.fp32());
        Reference ref = Reference.of(name)) {
      float[] expected = ref.tensor(manager, "rope.inv_freq").toFloatArray();
      float[] actual = loaded.model().rope().inverseFrequencies();
      assertThat(actual).hasSameSizeAs(expected);
      for (int i = 0; i < actual.length; i++) {
        assertThat((double) actual[i])
            .isCloseTo(expected[i], org.assertj.core.data.Percentage.withPercentage(1e-4));
      }
    }
  }

  NDArray logits(CausalLm model, long[] ids) {
    NDArray hidden = model.hidden(ids(ids), positions(ids.length), AttentionMask.causal());
    return model.logits(hidden).squeeze(0);
  }

  NDArray ids(long[] ids) {
    return manager.create(ids, new Shape(1, ids.length));
  }

  NDArray positions(int len) {
    return manager.arange(0, len, 1, DataType.INT64).reshape(1, len);
  }

  static double maxAbsDiff(NDArray a, NDArray b) {
    assertThat(a.getShape()).isEqualTo(b.getShape());
    return a.sub(b).abs().max().getFloat();
  }

  static double relativeError(NDArray a, NDArray b) {
    return a.sub(b).norm().getFloat() / b.norm().getFloat();
  }
}
