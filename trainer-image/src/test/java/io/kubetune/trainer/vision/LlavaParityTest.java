package io.kubetune.trainer.vision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The LLaVA forward pass against transformers' LlavaForConditionalGeneration on the tiny random
 * fixture (make_llava_fixtures.py), in float32: every tower layer, the selected features, the
 * projected features, the merged input embeddings and the logits within 1e-4, and the greedy
 * continuation token for token.
 */
class LlavaParityTest {
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  private final JsonNode ref = LlavaFixtures.reference();

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void forwardMatchesTransformers() throws Exception {
    try (LoadedLlava loaded =
            LlavaLoader.load(manager, LlavaFixtures.MODEL, ModelLoader.Options.fp32());
        SafetensorsFile expected =
            SafetensorsFile.open(LlavaFixtures.ROOT.resolve("forward.safetensors"))) {
      LlavaModel model = loaded.model();
      NDArray pixels = pixels(loaded, ref.get("forward_image").asText());
      List<NDArray> states = model.tower().hiddenStates(pixels);
      NDArray refStates = expected.load(manager, "vision_hidden_states");
      for (int l = 0; l < states.size(); l++) {
        assertThat(maxAbs(states.get(l), refStates.get(l)))
            .as("tower layer %d", l)
            .isLessThan(1e-4);
      }
      assertThat(maxAbs(model.visionFeatures(pixels), expected.load(manager, "vision_features")))
          .isLessThan(1e-4);
      NDArray features = model.imageFeatures(pixels, false);
      assertThat(maxAbs(features, expected.load(manager, "image_features"))).isLessThan(1e-4);
      long[] ids = Fixtures.longs(ref.get("prompt_ids"));
      NDArray input = Tensors.int64(manager, ids, new Shape(1, ids.length));
      assertThat(maxAbs(model.embed(input, features), expected.load(manager, "inputs_embeds")))
          .isLessThan(1e-4);
      NDArray hidden = model.hidden(input, features, positions(ids.length), AttentionMask.causal());
      NDArray logits = model.language().logits(hidden);
      assertThat(maxAbs(logits, expected.load(manager, "logits"))).isLessThan(1e-4);
    }
  }

  @Test
  void promptTokensAndGreedyContinuationMatchTransformers() throws Exception {
    try (LoadedLlava loaded =
            LlavaLoader.load(manager, LlavaFixtures.MODEL, ModelLoader.Options.fp32());
        Tokenizer tokenizer = Tokenizer.load(LlavaFixtures.MODEL)) {
      LlavaModel model = loaded.model();
      int imageId = tokenizer.tokenId(ImageTokens.TEXT).orElseThrow();
      assertThat(imageId).isEqualTo(model.config().imageTokenId());
      int[] prompt =
          ImageTokens.expand(
              tokenizer.encode(ref.get("prompt").asText(), false),
              imageId,
              model.config().imageTokens());
      assertThat(prompt).containsExactly(toInts(Fixtures.longs(ref.get("prompt_ids"))));
      NDArray features =
          model.imageFeatures(pixels(loaded, ref.get("forward_image").asText()), false);
      Generator generator =
          new Generator(model.language(), manager, ids -> model.embed(ids, features));
      int steps = ref.get("greedy").size();
      Generation g =
          generator.generate(
              prompt, SamplingParams.greedy(steps, Set.of()), ids -> "", TokenListener.NONE);
      assertThat(g.tokenIds()).containsExactly(toInts(Fixtures.longs(ref.get("greedy"))));
    }
  }

  private NDArray pixels(LoadedLlava loaded, String image) throws Exception {
    ImageProcessor processor = new ImageProcessor(loaded.processor());
    float[] px = processor.pixels(LlavaFixtures.IMAGES.resolve(image));
    int s = loaded.processor().outputHeight();
    return Tensors.float32(manager, px, new Shape(1, 3, s, s));
  }

  private NDArray positions(int length) {
    long[] positions = new long[length];
    for (int i = 0; i < length; i++) {
      positions[i] = i;
    }
    return Tensors.int64(manager, positions, new Shape(1, length));
  }

  static int[] toInts(long[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (int) values[i];
    }
    return out;
  }

  static double maxAbs(NDArray a, NDArray b) {
    return Aten.to(a, Dtype.F32).reshape(-1).sub(b.reshape(-1)).abs().max().getFloat();
  }
}
