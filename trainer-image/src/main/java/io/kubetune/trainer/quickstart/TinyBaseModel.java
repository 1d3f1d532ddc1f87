package io.kubetune.trainer.quickstart;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.model.ModelConfig;
import io.kubetune.trainer.model.WeightLayout;
import io.kubetune.trainer.model.WeightRole;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.weights.ShardedSafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The quickstart's base model: a tiny Qwen2-shaped model with deterministic random weights (normal,
 * std 0.02, as transformers initialises) and the bundled ChatML tokenizer, written in HuggingFace
 * layout so that every later step treats it like a downloaded model.
 */
public final class TinyBaseModel {
  static final String RESOURCES = "/quickstart/";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TinyBaseModel() {}

  /** Writes the model into dir (created) unless a model is already there. */
  public static void writeIfAbsent(Path dir, long seed) throws IOException {
    if (Files.exists(dir.resolve(ModelConfig.FILE))) {
      return;
    }
    Path tmp = dir.resolveSibling("." + dir.getFileName() + ".tmp");
    Files.createDirectories(tmp);
    copyResource("tokenizer.json", tmp);
    copyResource("tokenizer_config.json", tmp);
    int imEnd = specialId(tmp, "<|im_end|>");
    int pad = specialId(tmp, "<|endoftext|>");
    ObjectNode config = JSON.createObjectNode();
    config.putArray("architectures").add("Qwen2ForCausalLM");
    config.put("model_type", "qwen2");
    config.put("vocab_size", 960);
    config.put("hidden_size", 256);
    config.put("intermediate_size", 704);
    config.put("num_hidden_layers", 4);
    config.put("num_attention_heads", 8);
    config.put("num_key_value_heads", 2);
    config.put("max_position_embeddings", 1024);
    config.put("rms_norm_eps", 1e-6);
    config.put("rope_theta", 1000000.0);
    config.put("tie_word_embeddings", true);
    config.put("use_sliding_window", false);
    config.put("hidden_act", "silu");
    config.put("initializer_range", 0.02);
    config.put("torch_dtype", "float32");
    config.put("eos_token_id", imEnd);
    config.put("pad_token_id", pad);
    JSON.writeValue(tmp.resolve(ModelConfig.FILE).toFile(), config);
    ObjectNode generation = JSON.createObjectNode();
    generation.putArray("eos_token_id").add(imEnd);
    generation.put("pad_token_id", pad);
    JSON.writeValue(tmp.resolve("generation_config.json").toFile(), generation);
    writeWeights(tmp, ModelConfig.load(tmp), seed);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeWeights(Path dir, ModelConfig config, long seed) throws IOException {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      Engine.getEngine("PyTorch").setRandomSeed((int) seed);
      NDArray std = Tensors.scalar(manager, 0.02f);
      List<TensorSource> tensors = new ArrayList<>();
      for (WeightLayout.Expected e : WeightLayout.of(config).expected().values()) {
        Shape shape = e.shape();
        boolean norm =
            e.role() == WeightRole.ATTN_NORM
                || e.role() == WeightRole.MLP_NORM
                || e.role() == WeightRole.FINAL_NORM;
        boolean bias = e.name().endsWith(".bias");
        tensors.add(
            new TensorSource(
                e.name(),
                io.kubetune.trainer.torch.Dtype.F32,
                shape,
                () ->
                    norm
                        ? manager.ones(shape)
                        : bias ? manager.zeros(shape) : manager.randomNormal(shape).mul(std)));
      }
      ShardedSafetensorsWriter.write(
          dir, tensors, Map.of("format", "pt"), ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
    }
  }

  /** Copies a bundled quickstart file (tokenizer, dataset) into dir. */
  public static Path copyResource(String name, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(name);
    try (InputStream in = TinyBaseModel.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IOException("bundled quickstart file " + name + " is missing from the jar");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  private static int specialId(Path dir, String token) throws IOException {
    var added =
        JSON.readTree(dir.resolve("tokenizer_config.json").toFile()).get("added_tokens_decoder");
    for (var it = added.fields(); it.hasNext(); ) {
      var e = it.next();
      if (token.equals(e.getValue().get("content").asText())) {
        return Integer.parseInt(e.getKey());
      }
    }
    throw new IOException("the bundled tokenizer has no " + token);
  }
}
