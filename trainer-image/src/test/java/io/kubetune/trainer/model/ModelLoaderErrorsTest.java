package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.weights.SafetensorsCheckpoint;
import io.kubetune.trainer.weights.SafetensorsFormatException;
import io.kubetune.trainer.weights.SafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint that does not fit its config is refused with the tensor named. */
class ModelLoaderErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  @TempDir Path dir;

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void anUnknownModelTypeIsNamed() throws IOException {
    copyFixture(c -> c.put("model_type", "gpt2"));
    assertThatThrownBy(() -> ModelLoader.load(manager, dir, ModelLoader.Options.fp32()))
        .hasMessageContaining("config.json")
        .hasMessageContaining(
            "model_type 'gpt2' is not supported; supported: llama, qwen2, internlm2");
  }

  @Test
  void aWronglyShapedTensorIsNamedWithBothShapes() throws IOException {
    copyFixture(c -> c.put("intermediate_size", 128));
    assertThatThrownBy(() -> ModelLoader.load(manager, dir, ModelLoader.Options.fp32()))
        .isInstanceOf(SafetensorsFormatException.class)
        .hasMessageContaining(
            "tensor 'model.layers.0.mlp.gate_proj.weight' has shape (160, 64), but config.json"
                + " implies (128, 64)");
  }

  @Test
  void aMissingTensorIsNamed() throws IOException {
    copyFixture(c -> {});
    rewriteWeights(names -> names.remove("model.layers.1.self_attn.k_proj.weight"));
    assertThatThrownBy(() -> ModelLoader.load(manager, dir, ModelLoader.Options.fp32()))
        .hasMessageContaining(
            "missing tensor 'model.layers.1.self_attn.k_proj.weight' (expected shape (32, 64))");
  }

  @Test
  void anExtraTensorIsNamed() throws IOException {
    copyFixture(c -> c.put("num_hidden_layers", 1));
    assertThatThrownBy(() -> ModelLoader.load(manager, dir, ModelLoader.Options.fp32()))
        .hasMessageContaining("unexpected tensor 'model.layers.1.input_layernorm.weight'");
  }

  @Test
  void headsThatDoNotDivideAreRefused() throws IOException {
    copyFixture(c -> c.put("num_key_value_heads", 3));
    assertThatThrownBy(() -> ModelLoader.load(manager, dir, ModelLoader.Options.fp32()))
        .hasMessageContaining(
            "num_attention_heads (4) must be a multiple of num_key_value_heads (3)");
  }

  @Test
  void aDirectoryWithoutWeightsSaysWhatItLooksFor() throws IOException {
    copyFixture(c -> {});
    Files.delete(dir.resolve("model.safetensors"));
    assertThatThrownBy(() -> ModelLoader.load(manager, dir, ModelLoader.Options.fp32()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(
            "no weights: looked for model.safetensors.index.json, model.safetensors,"
                + " pytorch_model.bin.index.json, pytorch_model.bin");
  }

  private void copyFixture(Consumer<ObjectNode> editConfig) throws IOException {
    Path src = Fixtures.model("llama-tied");
    for (String f : List.of("model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
      Files.copy(src.resolve(f), dir.resolve(f));
    }
    ObjectNode config = (ObjectNode) JSON.readTree(src.resolve("config.json").toFile());
    editConfig.accept(config);
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
  }

  private void rewriteWeights(Consumer<List<String>> editNames) throws IOException {
    Path file = dir.resolve("model.safetensors");
    Path copy = dir.resolve("original.bin");
    Files.move(file, copy);
    Files.createDirectories(dir.resolve("orig"));
    Files.move(copy, dir.resolve("orig/model.safetensors"));
    try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir.resolve("orig"))) {
      List<String> names = new ArrayList<>(ckpt.tensors().keySet());
      editNames.accept(names);
      List<TensorSource> sources = new ArrayList<>();
      for (String n : names) {
        sources.add(TensorSource.of(n, ckpt.load(manager, n)));
      }
      SafetensorsWriter.write(file, sources, Map.of());
    }
  }
}
