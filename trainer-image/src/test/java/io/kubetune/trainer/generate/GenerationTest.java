package io.kubetune.trainer.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.testing.Fixtures.Reference;
import io.kubetune.trainer.torch.Aten;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GenerationTest {
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
  void greedyContinuationOf32TokensIsTransformers(String name) throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model(name), ModelLoader.Options.fp32());
        Reference ref = Reference.of(name)) {
      Generator generator = new Generator(loaded.model(), manager);
      for (int p = 0; p < ref.prompts(); p++) {
        int[] prompt = Arrays.stream(ref.inputIds(p)).mapToInt(l -> (int) l).toArray();
        Generation g =
            generator.generate(
                prompt, SamplingParams.greedy(32, Set.of()), ids -> "", TokenListener.NONE);
        assertThat(Arrays.stream(g.tokenIds()).asLongStream().toArray())
            .as("%s prompt %d", name, p)
            .containsExactly(ref.greedyIds(p));
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
      }
    }
  }

  @Test
  void kvCacheDecodingEqualsFullRecomputationAtEveryStep() throws Exception {
    try (LoadedModel loaded =
        ModelLoader.load(manager, Fixtures.model("llama"), ModelLoader.Options.fp32())) {
      CausalLm model = loaded.model();
      long[] sequence = {994, 291, 963, 805, 432, 840, 954, 82};
      try (KvCache cache = new KvCache(manager, model.config(), 1, 64, model.computeDtype())) {
        // prefill the first 3 tokens, then add the rest one at a time
        NDArray cached =
            model.hiddenCached(ids(Arrays.copyOf(sequence, 3)), new long[] {0}, cache, 0);
        assertClose(lastLogits(model, cached), fullLogits(model, Arrays.copyOf(sequence, 3)));
        for (int t = 3; t < sequence.length; t++) {
          NDArray step =
              model.hiddenCached(ids(new long[] {sequence[t]}), new long[] {t}, cache, 0);
          assertClose(lastLogits(model, step), fullLogits(model, Arrays.copyOf(sequence, t + 1)));
        }
      }
    }
  }

  @Test
  void multiTokenContinuationOfACachedPrefixEqualsFullRecomputation() throws Exception {
    try (LoadedModel loaded =
        ModelLoader.load(manager, Fixtures.model("qwen2"), ModelLoader.Options.fp32())) {
      CausalLm model = loaded.model();
      long[] sequence = {5, 77, 300, 41, 998, 12, 640, 3, 250};
      try (KvCache cache = new KvCache(manager, model.config(), 1, 32, model.computeDtype())) {
        model.hiddenCached(ids(Arrays.copyOf(sequence, 4)), new long[] {0}, cache, 0);
        NDArray rest =
            model.hiddenCached(ids(Arrays.copyOfRange(sequence, 4, 9)), new long[] {4}, cache, 0);
        NDArray full = model.hidden(ids(sequence), positions(9), AttentionMask.causal());
        assertClose(model.logits(rest), model.logits(Aten.narrow(full, 1, 4, 5)));
      }
    }
  }

  /** What the server does: sequences of different lengths in one decode step. */
  @Test
  void batchedDecodeOfSequencesAtDifferentPositionsEqualsEachAlone() throws Exception {
    try (LoadedModel loaded =
        ModelLoader.load(manager, Fixtures.model("internlm2"), ModelLoader.Options.fp32())) {
      CausalLm model = loaded.model();
      long[] a = {1, 40, 41, 42, 43, 44};
      long[] b = {1, 90, 91};
      try (KvCache cache = new KvCache(manager, model.config(), 2, 32, model.computeDtype())) {
        model.hiddenCached(ids(a), new long[] {0}, cache, 0);
        model.hiddenCached(ids(b), new long[] {0}, cache, 1);
        NDArray next = manager.create(new long[] {500, 600}, new Shape(2, 1));
        NDArray both = model.hiddenCached(next, new long[] {a.length, b.length}, cache, 0);
        List<NDArray> expected = new ArrayList<>();
        expected.add(fullLogits(model, append(a, 500)));
        expected.add(fullLogits(model, append(b, 600)));
        for (int r = 0; r < 2; r++) {
          assertClose(model.logits(Aten.narrow(both, 0, r, 1)).reshape(-1), expected.get(r));
        }
      }
    }
  }

  @Test
  void stopTokenEndsGenerationAndIsNotPartOfTheReply() throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model("llama"), ModelLoader.Options.fp32());
        Reference ref = Reference.of("llama")) {
      int[] prompt = Arrays.stream(ref.inputIds(0)).mapToInt(l -> (int) l).toArray();
      int fifth = (int) ref.greedyIds(0)[4];
      Generation g =
          new Generator(loaded.model(), manager)
              .generate(
                  prompt, SamplingParams.greedy(32, Set.of(fifth)), ids -> "", TokenListener.NONE);
      assertThat(g.tokenIds()).hasSize(4);
      assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
    }
  }

  private NDArray lastLogits(CausalLm model, NDArray hidden) {
    long t = hidden.getShape().get(1);
    return model.logits(Aten.narrow(hidden, 1, t - 1, 1)).reshape(-1);
  }

  private NDArray fullLogits(CausalLm model, long[] sequence) {
    NDArray hidden =
        model.hidden(ids(sequence), positions(sequence.length), AttentionMask.causal());
    return lastLogits(model, hidden);
  }

  private NDArray ids(long[] ids) {
    return manager.create(ids, new Shape(1, ids.length));
  }

  private NDArray positions(int len) {
    return manager.arange(0, len, 1, DataType.INT64).reshape(1, len);
  }

  private static long[] append(long[] a, long x) {
    long[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = x;
    return out;
  }

  private static void assertClose(NDArray actual, NDArray expected) {
    assertThat(actual.getShape()).isEqualTo(expected.getShape());
    assertThat((double) actual.sub(expected).abs().max().getFloat()).isLessThan(1e-4);
    assertThat(actual.argMax().getLong()).isEqualTo(expected.argMax().getLong());
  }
}
