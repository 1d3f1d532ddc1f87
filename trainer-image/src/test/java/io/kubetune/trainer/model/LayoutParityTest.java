package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The published layouts (fixtures/layouts) load as downloaded (sharded safetensors, sharded pickled
 * .bin, remote-code configs read as data) and compute transformers' logits within 1e-4; InternLM2's
 * dynamic NTK rope against the restatement of its own code in make_layout_fixtures.py, linear and
 * dynamic scaling on Llama against transformers.
 */
class LayoutParityTest {
  static final List<String> LAYOUTS = Fixtures.LAYOUTS;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  @TempDir Path tmp;

  @AfterEach
  void close() {
    manager.close();
  }

  @ParameterizedTest
  @FieldSource("LAYOUTS")
  void logitsAndGreedyContinuationsMatchTheReference(String layout) throws Exception {
    Path dir = Fixtures.layout(layout);
    JsonNode ref = Fixtures.json(dir.resolve("reference/reference.json"));
    try (LoadedModel loaded = ModelLoader.load(manager, dir, ModelLoader.Options.fp32());
        SafetensorsFile tensors =
            SafetensorsFile.open(dir.resolve("reference/reference.safetensors"))) {
      Generator generator = new Generator(loaded.model(), manager);
      for (JsonNode p : ref.get("prompts")) {
        long[] ids = longs(p.get("input_ids"));
        NDArray logits = logits(loaded.model(), ids);
        String name = "logits." + p.get("index").asInt();
        if (tensors.tensors().containsKey(name)) {
          assertThat(maxAbsDiff(logits, tensors.load(manager, name)))
              .as("%s %s", layout, p.get("kind").asText())
              .isLessThan(1e-4);
        } else { // the long prompt: its last positions
          NDArray expected = tensors.load(manager, "logits_tail." + p.get("index").asInt());
          long tail = expected.getShape().get(0);
          assertThat(maxAbsDiff(logits.get((ids.length - tail) + ":"), expected))
              .as(
                  "%s %s (%d tokens, max_position_embeddings %d)",
                  layout,
                  p.get("kind").asText(),
                  ids.length,
                  loaded.config().maxPositionEmbeddings())
              .isLessThan(1e-4);
        }
        int newTokens = p.get("greedy_ids").size();
        if (ids.length + newTokens <= loaded.config().maxPositionEmbeddings()) {
          int[] prompt = Arrays.stream(ids).mapToInt(l -> (int) l).toArray();
          Generation g =
              generator.generate(
                  prompt, SamplingParams.greedy(newTokens, Set.of()), x -> "", TokenListener.NONE);
          assertThat(Arrays.stream(g.tokenIds()).asLongStream().toArray())
              .as("%s %s greedy", layout, p.get("kind").asText())
              .containsExactly(longs(p.get("greedy_ids")));
        }
      }
    }
  }

  @Test
  void internlm2DynamicNtkRopeIsInUse() throws Exception {
    ModelConfig c = ModelConfig.load(Fixtures.layout("internlm2-chat-1_8b"));
    assertThat(c.ropeScaling().type()).isEqualTo("dynamic");
    assertThat(c.ropeScaling().factor()).isEqualTo(2.0);
    assertThat(c.qkvBias()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "dynamic"})
  void llamaRopeScalingMatchesTransformers(String type) throws Exception {
    Path src = Fixtures.layout("llama-2-7b-chat-hf");
    JsonNode ref = Fixtures.json(src.resolve("reference/reference.json")).get("rope_" + type);
    Path dir = copyWithConfig(src, c -> c.set("rope_scaling", ref.get("rope_scaling")));
    try (LoadedModel loaded = ModelLoader.load(manager, dir, ModelLoader.Options.fp32());
        SafetensorsFile tensors =
            SafetensorsFile.open(src.resolve("reference/reference.safetensors"))) {
      assertThat(loaded.config().ropeScaling().type()).isEqualTo(type);
      long[] ids = longs(ref.get("input_ids"));
      NDArray expected = tensors.load(manager, "logits_rope_" + type + "_tail");
      long tail = expected.getShape().get(0);
      NDArray logits = logits(loaded.model(), ids);
      assertThat(maxAbsDiff(logits.get((ids.length - tail) + ":"), expected)).isLessThan(1e-4);
    }
  }

  private Path copyWithConfig(Path src, java.util.function.Consumer<ObjectNode> edit)
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(src.getFileName()));
    try (var files = Files.list(src)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.createSymbolicLink(dir.resolve(f.getFileName()), f.toAbsolutePath());
      }
    }
    ObjectNode config = (ObjectNode) JSON.readTree(src.resolve("config.json").toFile());
    edit.accept(config);
    Files.delete(dir.resolve("config.json"));
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    return dir;
  }

  private NDArray logits(CausalLm model, long[] ids) {
    NDArray x = manager.create(ids, new Shape(1, ids.length));
    NDArray positions = manager.arange(0, ids.length, 1, DataType.INT64).reshape(1, ids.length);
    return model.logits(model.hidden(x, positions, AttentionMask.causal())).squeeze(0);
  }

  private static double maxAbsDiff(NDArray a, NDArray b) {
    assertThat(a.getShape()).isEqualTo(b.getShape());
    return a.sub(b).abs().max().getFloat();
  }

  private static long[] longs(JsonNode array) {
    return Fixtures.longs(array);
  }
}
