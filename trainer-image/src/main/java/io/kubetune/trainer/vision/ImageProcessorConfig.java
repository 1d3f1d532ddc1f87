package io.kubetune.trainer.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * A model folder's {@code preprocessor_config.json}: transformers' CLIPImageProcessor or
 * LlavaImageProcessor settings (the llava-hf processors). Only bicubic resampling (resample 3, what
 * both use) is supported; another filter is refused by name.
 *
 * @param shortestEdge resize so the shorter side has this many pixels (0: resize to height x width)
 * @param pad LlavaImageProcessor's do_pad: pad to a square of the mean colour before resizing
 *     (LLaVA-1.5's "pad" aspect ratio)
 */
public record ImageProcessorConfig(
    boolean resize,
    int shortestEdge,
    int resizeHeight,
    int resizeWidth,
    boolean centerCrop,
    int cropHeight,
    int cropWidth,
    boolean rescale,
    double rescaleFactor,
    boolean normalize,
    float[] mean,
    float[] std,
    boolean pad,
    ObjectNode json) {

  public static final String FILE = "preprocessor_config.json";
  private static final Set<String> TYPES =
      Set.of(
          "CLIPImageProcessor",
          "CLIPImageProcessorFast",
          "CLIPImageProcessorPil",
          "LlavaImageProcessor",
          "LlavaImageProcessorFast",
          "LlavaImageProcessorPil");
  private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  public static ImageProcessorConfig load(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file + ": no image processor settings (a llava-hf folder has one)");
    }
    JsonNode node = new ObjectMapper().readTree(file.toFile());
    if (!(node instanceof ObjectNode obj)) {
      throw new IOException(file + ": not a JSON object");
    }
    try {
      return parse(obj);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  public static ImageProcessorConfig parse(ObjectNode c) {
    String type = c.path("image_processor_type").asText("CLIPImageProcessor");
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "image_processor_type "
              + type
              + " is not supported (CLIPImageProcessor, LlavaImageProcessor)");
    }
    int resample = c.path("resample").asInt(3);
    if (resample != 3) {
      throw new IllegalArgumentException(
          "resample " + resample + " is not supported: only 3 (bicubic, CLIP's and LLaVA's) is");
    }
    JsonNode size = c.path("size");
    int shortest = size.path("shortest_edge").asInt(0);
    if (size.isInt()) {
      shortest = size.asInt();
    }
    JsonNode crop = c.path("crop_size");
    int cropH = crop.isInt() ? crop.asInt() : crop.path("height").asInt(224);
    int cropW = crop.isInt() ? crop.asInt() : crop.path("width").asInt(224);
    int resizeH = size.path("height").asInt(0);
    int resizeW = size.path("width").asInt(0);
    boolean resize = c.path("do_resize").asBoolean(true);
    if (resize && shortest <= 0 && (resizeH <= 0 || resizeW <= 0)) {
      throw new IllegalArgumentException(
          "size needs shortest_edge, or height and width, got " + size);
    }
    return new ImageProcessorConfig(
        resize,
        shortest,
        resizeH,
        resizeW,
        c.path("do_center_crop").asBoolean(true),
        cropH,
        cropW,
        c.path("do_rescale").asBoolean(true),
        c.path("rescale_factor").asDouble(1 / 255.0),
        c.path("do_normalize").asBoolean(true),
        floats(c.get("image_mean"), CLIP_MEAN),
        floats(c.get("image_std"), CLIP_STD),
        c.path("do_pad").asBoolean(false),
        c.deepCopy());
  }

  /** Height and width of the pixel values this produces. */
  public int outputHeight() {
    return centerCrop ? cropHeight : resizeHeight > 0 ? resizeHeight : shortestEdge;
  }

  public int outputWidth() {
    return centerCrop ? cropWidth : resizeWidth > 0 ? resizeWidth : shortestEdge;
  }

  private static float[] floats(JsonNode n, float[] fallback) {
    if (n == null || n.isNull()) {
      return fallback.clone();
    }
    if (n.isNumber()) {
      return new float[] {n.floatValue(), n.floatValue(), n.floatValue()};
    }
    if (!n.isArray() || n.size() != 3) {
      throw new IllegalArgumentException("image_mean and image_std need 3 values, got " + n);
    }
    return new float[] {n.get(0).floatValue(), n.get(1).floatValue(), n.get(2).floatValue()};
  }
}
