package io.kubetune.trainer.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.model.Architecture;
import io.kubetune.trainer.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A llava-hf {@code config.json} (transformers' LlavaConfig): the language model's config
 * (text_config), the CLIP tower's (vision_config), the image token, which tower layer feeds the
 * projector and whether its CLS position is dropped. Sub-configs may leave keys out, as the
 * published llava-hf configs do: transformers' defaults for that model type fill them.
 *
 * @param featureLayer transformers' vision_feature_layer (an index into hidden_states; -2 in
 *     LLaVA-1.5)
 * @param dropCls vision_feature_select_strategy "default" (true) or "full"
 */
public record LlavaConfig(
    ModelConfig text,
    ClipVisionConfig vision,
    int imageTokenId,
    int featureLayer,
    boolean dropCls,
    boolean projectorBias,
    ObjectNode json) {

  public static final String MODEL_TYPE = "llava";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** transformers' LlamaConfig / Qwen2Config defaults for keys a llava-hf text_config omits. */
  private static final Map<String, Map<String, Object>> TEXT_DEFAULTS =
      Map.of(
          "llama",
          Map.of(
              "vocab_size", 32000,
              "hidden_size", 4096,
              "intermediate_size", 11008,
              "num_hidden_layers", 32,
              "num_attention_heads", 32,
              "max_position_embeddings", 2048,
              "rms_norm_eps", 1e-6,
              "rope_theta", 10000.0),
          "qwen2",
          Map.of(
              "vocab_size", 151936,
              "hidden_size", 4096,
              "intermediate_size", 22016,
              "num_hidden_layers", 32,
              "num_attention_heads", 32,
              "num_key_value_heads", 32,
              "max_position_embeddings", 32768,
              "rms_norm_eps", 1e-6,
              "rope_theta", 10000.0));

  /** Whether a model folder holds a LLaVA (config.json's model_type is llava). */
  public static boolean isLlava(Path modelDir) {
    Path file = modelDir.resolve(ModelConfig.FILE);
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try {
      return MODEL_TYPE.equals(JSON.readTree(file.toFile()).path("model_type").asText());
    } catch (IOException e) {
      return false;
    }
  }

  public static LlavaConfig load(Path modelDir) throws IOException {
    Path file = modelDir.resolve(ModelConfig.FILE);
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file + ": no config.json (not a HuggingFace model directory)");
    }
    JsonNode node = JSON.readTree(file.toFile());
    if (!(node instanceof ObjectNode obj)) {
      throw new IOException(file + ": not a JSON object");
    }
    try {
      return parse(obj);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  public static LlavaConfig parse(ObjectNode c) {
    if (!MODEL_TYPE.equals(c.path("model_type").asText())) {
      throw new IllegalArgumentException("model_type is not llava");
    }
    ObjectNode text =
        c.get("text_config") instanceof ObjectNode t ? t.deepCopy() : JSON.createObjectNode();
    String textType = text.path("model_type").asText("llama");
    text.put("model_type", textType);
    if (!TEXT_DEFAULTS.containsKey(textType)) {
      throw new IllegalArgumentException(
          "text_config.model_type '"
              + textType
              + "' is not supported in a LLaVA (llama, qwen2: the language models transformers'"
              + " LlavaForConditionalGeneration builds without remote code)");
    }
    TEXT_DEFAULTS
        .get(textType)
        .forEach(
            (k, v) -> {
              if (!text.hasNonNull(k) && !(k.equals("rope_theta") && text.has("rope_parameters"))) {
                text.set(k, JSON.valueToTree(v));
              }
            });
    ModelConfig textConfig;
    try {
      textConfig = ModelConfig.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("text_config: " + e.getMessage(), e);
    }
    if (textConfig.architecture() == Architecture.INTERNLM2) {
      throw new IllegalArgumentException("text_config: internlm2 is not supported in a LLaVA");
    }
    ClipVisionConfig vision = ClipVisionConfig.parse(c.path("vision_config"));
    JsonNode layer = c.path("vision_feature_layer");
    if (layer.isArray()) {
      throw new IllegalArgumentException(
          "vision_feature_layer as a list of layers is not supported: give one layer");
    }
    String strategy = c.path("vision_feature_select_strategy").asText("default");
    if (!strategy.equals("default") && !strategy.equals("full")) {
      throw new IllegalArgumentException(
          "vision_feature_select_strategy '" + strategy + "' is not one of default, full");
    }
    String act = c.path("projector_hidden_act").asText("gelu");
    if (!act.equals("gelu")) {
      throw new IllegalArgumentException(
          "projector_hidden_act '" + act + "' is not supported: only gelu (mlp2x_gelu) is");
    }
    JsonNode tokenNode =
        c.hasNonNull("image_token_index") ? c.get("image_token_index") : c.get("image_token_id");
    int imageToken = tokenNode == null || tokenNode.isNull() ? 32000 : tokenNode.asInt();
    return new LlavaConfig(
        textConfig,
        vision,
        imageToken,
        layer.isMissingNode() || layer.isNull() ? -2 : layer.asInt(),
        strategy.equals("default"),
        c.path("multimodal_projector_bias").asBoolean(true),
        c.deepCopy());
  }

  /** Placeholder tokens per image: one per patch, plus CLS with the "full" strategy. */
  public int imageTokens() {
    return vision.patches() + (dropCls ? 0 : 1);
  }
}
