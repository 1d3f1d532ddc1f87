package io.kubetune.trainer.vision;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A CLIP ViT's shape, from a config's vision_config (transformers' CLIPVisionConfig; its defaults
 * for absent keys, as llava-hf configs rely on them).
 */
public record ClipVisionConfig(
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numChannels,
    int imageSize,
    int patchSize,
    double layerNormEps,
    String hiddenAct) {

  public static ClipVisionConfig parse(JsonNode c) {
    String type = c.path("model_type").asText("clip_vision_model");
    if (!type.equals("clip_vision_model")) {
      throw new IllegalArgumentException(
          "vision_config.model_type '" + type + "' is not supported: only clip_vision_model is");
    }
    String act = c.path("hidden_act").asText("quick_gelu");
    if (!act.equals("quick_gelu") && !act.equals("gelu")) {
      throw new IllegalArgumentException(
          "vision_config.hidden_act '" + act + "' is not supported (quick_gelu, gelu)");
    }
    ClipVisionConfig config =
        new ClipVisionConfig(
            positive(c, "hidden_size", 768),
            positive(c, "intermediate_size", 3072),
            positive(c, "num_hidden_layers", 12),
            positive(c, "num_attention_heads", 12),
            positive(c, "num_channels", 3),
            positive(c, "image_size", 224),
            positive(c, "patch_size", 32),
            c.path("layer_norm_eps").asDouble(1e-5),
            act);
    if (config.hiddenSize % config.numHeads != 0) {
      throw new IllegalArgumentException(
          "vision_config.hidden_size must be a multiple of num_attention_heads");
    }
    if (config.imageSize % config.patchSize != 0) {
      throw new IllegalArgumentException(
          "vision_config.image_size must be a multiple of patch_size");
    }
    if (config.numChannels != 3) {
      throw new IllegalArgumentException("vision_config.num_channels must be 3 (RGB)");
    }
    return config;
  }

  /** Patches per image (the CLS position not counted). */
  public int patches() {
    int side = imageSize / patchSize;
    return side * side;
  }

  public int headDim() {
    return hiddenSize / numHeads;
  }

  private static int positive(JsonNode c, String key, int fallback) {
    JsonNode n = c.get(key);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.canConvertToInt() || n.asInt() <= 0) {
      throw new IllegalArgumentException(
          "vision_config." + key + " must be a positive integer, got " + n);
    }
    return n.asInt();
  }
}
