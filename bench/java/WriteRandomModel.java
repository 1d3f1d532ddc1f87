import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.model.ModelConfig;
import io.kubetune.trainer.model.WeightLayout;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.weights.ShardedSafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a model with random bf16 weights, tensor by tensor (each one is generated when the writer
 * reaches it and freed after): InternLM2-1.8B-shaped, or with "qwen2-0.5b" Qwen2-0.5B-shaped (tied
 * embeddings, q/k/v biases).
 *
 * <p>usage: java -cp CP bench/java/WriteRandomModel.java OUT_DIR [internlm2-1.8b | qwen2-0.5b]
 */
public class WriteRandomModel {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    ObjectMapper json = new ObjectMapper();
    ObjectNode config =
        args.length > 1 && args[1].equals("qwen2-0.5b") ? qwen2(json) : internlm2(json);
    json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("config.json").toFile(), config);
    ModelConfig parsed = ModelConfig.load(out);
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      List<TensorSource> sources = new ArrayList<>();
      for (WeightLayout.Expected e : WeightLayout.of(parsed).expected().values()) {
        Shape shape = e.shape();
        sources.add(
            new TensorSource(
                e.name(),
                Dtype.BF16,
                shape,
                () ->
                    shape.dimension() == 1
                        ? Aten.to(manager.ones(shape), Dtype.BF16)
                        : Aten.to(
                            manager.randomNormal(shape).mul(Tensors.scalar(manager, 0.02f)),
                            Dtype.BF16)));
      }
      long bytes = sources.stream().mapToLong(TensorSource::byteSize).sum();
      ShardedSafetensorsWriter.write(
          out, sources, Map.of("format", "pt"), ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
      System.out.printf("wrote %s: %.2f GB of bf16 weights%n", out, bytes / 1e9);
    }
  }

  private static ObjectNode internlm2(ObjectMapper json) {
    ObjectNode config = json.createObjectNode();
    config.putArray("architectures").add("InternLM2ForCausalLM");
    config.put("model_type", "internlm2");
    config.put("vocab_size", 92544);
    config.put("hidden_size", 2048);
    config.put("intermediate_size", 8192);
    config.put("num_hidden_layers", 24);
    config.put("num_attention_heads", 16);
    config.put("num_key_value_heads", 8);
    config.put("max_position_embeddings", 32768);
    config.put("rms_norm_eps", 1e-5);
    config.put("rope_theta", 1000000.0);
    config.put("bias", false);
    config.put("tie_word_embeddings", false);
    config.put("torch_dtype", "bfloat16");
    config.put("bos_token_id", 1);
    config.put("eos_token_id", 2);
    return config;
  }

  private static ObjectNode qwen2(ObjectMapper json) {
    ObjectNode config = json.createObjectNode();
    config.putArray("architectures").add("Qwen2ForCausalLM");
    config.put("model_type", "qwen2");
    config.put("vocab_size", 151936);
    config.put("hidden_size", 896);
    config.put("intermediate_size", 4864);
    config.put("num_hidden_layers", 24);
    config.put("num_attention_heads", 14);
    config.put("num_key_value_heads", 2);
    config.put("max_position_embeddings", 32768);
    config.put("rms_norm_eps", 1e-6);
    config.put("rope_theta", 1000000.0);
    config.put("tie_word_embeddings", true);
    config.put("torch_dtype", "bfloat16");
    config.put("bos_token_id", 151643);
    config.put("eos_token_id", 151645);
    return config;
  }
}
