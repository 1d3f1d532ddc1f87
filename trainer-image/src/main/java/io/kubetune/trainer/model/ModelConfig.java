package io.kubetune.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.io.JsonFiles;
import io.kubetune.trainer.torch.Dtype;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A model's shape and numerics, read from HuggingFace's config.json. The raw JSON is kept so that
 * an export writes back every key, including ones this runtime does not use.
 */
public record ModelConfig(
    Architecture architecture,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    boolean qkvBias,
    List<Integer> eosTokenIds,
    Integer bosTokenId,
    Dtype torchDtype,
    ObjectNode json) {

  public static final String FILE = "config.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public int kvGroups() {
    return numHeads / numKvHeads;
  }

  public static ModelConfig load(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE);
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file + ": no config.json (not a HuggingFace model directory)");
    }
    JsonNode node;
    try {
      node = JsonFiles.read(file);
    } catch (JsonFiles.InvalidJsonException e) {
      throw new ModelConfigException(e.getMessage());
    }
    if (!(node instanceof ObjectNode obj)) {
      throw new ModelConfigException(file + ": not a JSON object");
    }
    try {
      return parse(obj);
    } catch (IllegalArgumentException e) {
      throw new ModelConfigException(file + ": " + e.getMessage());
    }
  }

  /** A config from config.json's object (e.g. a LLaVA config's text_config). */
  public static ModelConfig parse(ObjectNode c) {
    Architecture arch = Architecture.forModelType(text(c, "model_type"));
    List<String> problems = ConfigKeys.problems(c, arch);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    boolean internlm2 = arch == Architecture.INTERNLM2;
    // InternLM2Config's defaults (configuration_internlm2.py): bias=True, rope_theta=10000,
    // rms_norm_eps=1e-6, max_position_embeddings=2048; LlamaConfig's are the same but bias
    if (internlm2 && c.path("bias").asBoolean(true)) {
      throw new IllegalArgumentException(
          "bias=true (InternLM2's default when the key is absent) puts biases on wqkv and wo;"
              + " wo biases are not supported");
    }
    int hidden = positive(c, "hidden_size");
    int heads = positive(c, "num_attention_heads");
    int kvHeads = c.has("num_key_value_heads") ? positive(c, "num_key_value_heads") : heads;
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads ("
              + heads
              + ") must be a multiple of num_key_value_heads ("
              + kvHeads
              + ")");
    }
    int headDim;
    if (c.hasNonNull("head_dim")) {
      headDim = positive(c, "head_dim");
    } else if (hidden % heads == 0) {
      headDim = hidden / heads;
    } else {
      throw new IllegalArgumentException(
          "hidden_size (" + hidden + ") is not a multiple of num_attention_heads (" + heads + ")");
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim (" + headDim + ") must be even for RoPE");
    }
    JsonNode ropeParams = c.path("rope_parameters");
    double theta =
        c.has("rope_theta")
            ? c.get("rope_theta").asDouble()
            : ropeParams.path("rope_theta").asDouble(10000.0);
    JsonNode scaling = c.hasNonNull("rope_scaling") ? c.get("rope_scaling") : ropeParams;
    if (internlm2 && c.hasNonNull("rope_scaling")) {
      checkInternLm2RopeScaling(c.get("rope_scaling"));
    }
    boolean bias =
        arch.alwaysHasQkvBias()
            || c.path("attention_bias").asBoolean(false)
            || c.path("bias").asBoolean(false);
    if (c.path("use_sliding_window").asBoolean(false)) {
      throw new IllegalArgumentException("use_sliding_window=true is not supported");
    }
    return new ModelConfig(
        arch,
        positive(c, "vocab_size"),
        hidden,
        positive(c, "intermediate_size"),
        positive(c, "num_hidden_layers"),
        heads,
        kvHeads,
        headDim,
        c.path("rms_norm_eps").asDouble(1e-6),
        theta,
        ropeScaling(scaling).orElse(null),
        c.path("max_position_embeddings").asInt(arch == Architecture.QWEN2 ? 32768 : 2048),
        c.path("tie_word_embeddings").asBoolean(false),
        bias,
        tokenIds(c.get("eos_token_id")),
        c.hasNonNull("bos_token_id") ? c.get("bos_token_id").asInt() : null,
        c.hasNonNull("torch_dtype")
            ? Dtype.fromTorchName(c.get("torch_dtype").asText())
            : c.hasNonNull("dtype") ? Dtype.fromTorchName(c.get("dtype").asText()) : Dtype.F32,
        c.deepCopy());
  }

  static Optional<RopeScaling> ropeScaling(JsonNode s) {
    if (s == null || s.isMissingNode() || s.isNull() || !s.isObject()) {
      return Optional.empty();
    }
    String type = s.has("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("");
    return switch (type) {
      case "", "default" -> Optional.empty();
      case "llama3" ->
          Optional.of(
              new RopeScaling(
                  type,
                  required(s, "factor"),
                  required(s, "low_freq_factor"),
                  required(s, "high_freq_factor"),
                  (int) required(s, "original_max_position_embeddings")));
      case "linear", "dynamic" -> {
        s.fieldNames()
            .forEachRemaining(
                k -> {
                  if (!List.of("type", "rope_type", "factor", "rope_theta").contains(k)) {
                    throw new IllegalArgumentException(
                        "rope_scaling." + k + " is not understood for the " + type + " type");
                  }
                });
        yield Optional.of(new RopeScaling(type, required(s, "factor"), 0, 0, 0));
      }
      default ->
          throw new IllegalArgumentException(
              "rope_scaling type '" + type + "' is not supported (llama3, linear, dynamic)");
    };
  }

  /** InternLM2Config._rope_scaling_validation: exactly {type, factor}, linear or dynamic, >= 1. */
  private static void checkInternLm2RopeScaling(JsonNode s) {
    if (!s.isObject() || s.size() != 2 || !s.has("type") || !s.has("factor")) {
      throw new IllegalArgumentException(
          "rope_scaling must be {\"type\": ..., \"factor\": ...} for internlm2, got " + s);
    }
    String type = s.get("type").asText();
    if (!type.equals("linear") && !type.equals("dynamic")) {
      throw new IllegalArgumentException(
          "rope_scaling.type '" + type + "' is not one of internlm2's: linear, dynamic");
    }
    if (!s.get("factor").isNumber() || s.get("factor").asDouble() < 1.0) {
      throw new IllegalArgumentException(
          "rope_scaling.factor must be a number >= 1, got " + s.get("factor"));
    }
  }

  static List<Integer> tokenIds(JsonNode node) {
    List<Integer> ids = new ArrayList<>();
    if (node == null || node.isNull()) {
      return ids;
    }
    if (node.isArray()) {
      node.forEach(n -> ids.add(n.asInt()));
    } else {
      ids.add(node.asInt());
    }
    return List.copyOf(ids);
  }

  private static double required(JsonNode s, String key) {
    if (!s.hasNonNull(key)) {
      throw new IllegalArgumentException("rope_scaling." + key + " is required");
    }
    return s.get(key).asDouble();
  }

  private static String text(JsonNode c, String key) {
    if (!c.hasNonNull(key)) {
      throw new IllegalArgumentException(key + " is missing");
    }
    return c.get(key).asText();
  }

  private static int positive(JsonNode c, String key) {
    if (!c.hasNonNull(key) || !c.get(key).canConvertToInt() || c.get(key).asInt() <= 0) {
      throw new IllegalArgumentException(key + " must be a positive integer, got " + c.get(key));
    }
    return c.get(key).asInt();
  }
}
