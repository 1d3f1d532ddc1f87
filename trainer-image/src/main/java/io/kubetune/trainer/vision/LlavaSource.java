package io.kubetune.trainer.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelConfig;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.weights.Checkpoint;
import io.kubetune.trainer.weights.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Where a job's LLaVA comes from: a llava-hf folder, or a language model folder and a CLIP folder
 * assembled into a new LLaVA (LLaVA's pretrain stage: the tokenizer gains {@code <image>} when it
 * lacks it, the projector starts as PyTorch's nn.Linear initialises it). Reads only configs until
 * {@link #load}.
 *
 * @param towerDir the CLIP folder, null for a llava-hf model
 * @param addsImageToken the tokenizer lacks {@code <image>}: it is added (and exported)
 */
public record LlavaSource(
    Path modelDir,
    Path towerDir,
    LlavaConfig config,
    ImageProcessorConfig processor,
    boolean addsImageToken) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The LLaVA of a model folder (and tower folder), or empty for a text model without a tower.
   *
   * @param padOverride model.padImagesToSquare, null to keep the processor's setting
   * @throws IOException when the folders do not make a LLaVA, with the reason
   */
  public static Optional<LlavaSource> of(Path modelDir, Path towerDir, Boolean padOverride)
      throws IOException {
    boolean llava = LlavaConfig.isLlava(modelDir);
    if (towerDir == null && !llava) {
      return Optional.empty();
    }
    if (towerDir != null && llava) {
      throw new IOException(
          "model.visionTower: model.source is a LLaVA already (it has its own tower)");
    }
    if (llava) {
      return Optional.of(
          new LlavaSource(
              modelDir,
              null,
              LlavaConfig.load(modelDir),
              withPad(ImageProcessorConfig.load(modelDir), padOverride),
              false));
    }
    ModelConfig text = ModelConfig.load(modelDir);
    ObjectNode vision = visionConfig(towerDir);
    int imageToken;
    boolean adds;
    try (Tokenizer tokenizer = Tokenizer.load(modelDir)) {
      var existing = tokenizer.tokenId(ImageTokens.TEXT);
      adds = existing.isEmpty();
      imageToken = adds ? tokenizer.vocabSize() : existing.getAsInt();
    }
    if (imageToken >= text.vocabSize()) {
      throw new IOException(
          "model.source: the language model's embedding has "
              + text.vocabSize()
              + " rows and no free row for the <image> token (id "
              + imageToken
              + "); growing the embedding is not supported yet: use a model whose vocab_size"
              + " exceeds its tokenizer (e.g. Qwen2), or a tokenizer that has <image>");
    }
    ObjectNode c = JSON.createObjectNode();
    c.putArray("architectures").add("LlavaForConditionalGeneration");
    c.put("model_type", LlavaConfig.MODEL_TYPE);
    ObjectNode textJson = text.json().deepCopy();
    textJson.remove("architectures");
    c.set("text_config", textJson);
    c.set("vision_config", vision);
    c.put("image_token_index", imageToken);
    c.put("projector_hidden_act", "gelu");
    c.put("vision_feature_layer", -2);
    c.put("vision_feature_select_strategy", "default");
    c.put("multimodal_projector_bias", true);
    c.put("tie_word_embeddings", text.tieWordEmbeddings());
    LlavaConfig config = LlavaConfig.parse(c);
    c.put("image_seq_length", config.imageTokens());
    config = LlavaConfig.parse(c);
    ImageProcessorConfig processor = withPad(ImageProcessorConfig.load(towerDir), padOverride);
    return Optional.of(new LlavaSource(modelDir, towerDir, config, processor, adds));
  }

  /** The tokenizer, with {@code <image>} added when the language model's lacks it. */
  public Tokenizer tokenizer() throws IOException {
    return addsImageToken
        ? Tokenizer.loadWithSpecialToken(modelDir, ImageTokens.TEXT)
        : Tokenizer.load(modelDir);
  }

  /**
   * Loads the weights: a llava-hf folder as it is; an assembled LLaVA from its language model, the
   * CLIP tower (copied into float32) and a fresh projector drawn from seed.
   */
  public LoadedLlava load(NDManager manager, ModelLoader.Options options, long seed)
      throws IOException {
    if (towerDir == null) {
      LoadedLlava loaded = LlavaLoader.load(manager, modelDir, options);
      return new LoadedLlava(loaded.model(), loaded.language(), processor);
    }
    LoadedModel language = ModelLoader.load(manager, modelDir, options);
    try {
      NDManager owner = language.manager();
      Map<String, NDArray> tower = new LinkedHashMap<>();
      try (Checkpoint clip = Checkpoints.open(towerDir)) {
        String prefix = towerPrefix(clip);
        for (Map.Entry<String, Shape> e :
            ClipVisionTower.expectedShapes(config.vision()).entrySet()) {
          String name = prefix + e.getKey();
          var info = clip.tensors().get(name);
          if (info == null || !info.shape().equals(e.getValue())) {
            throw new IOException(
                towerDir
                    + ": tensor '"
                    + name
                    + "' "
                    + (info == null ? "is missing" : "has shape " + info.shape())
                    + " (expected "
                    + e.getValue()
                    + ")");
          }
          try (NDManager scratch = owner.newSubManager()) {
            NDArray t = Aten.to(clip.load(scratch, name), Dtype.F32);
            NDArray copy = t.duplicate();
            copy.attach(owner);
            tower.put(e.getKey(), copy);
          }
        }
      }
      MultimodalProjector projector = freshProjector(owner, seed);
      LlavaModel model =
          new LlavaModel(
              config, language.model(), new ClipVisionTower(config.vision(), tower), projector);
      return new LoadedLlava(model, language, processor);
    } catch (IOException | RuntimeException e) {
      language.close();
      throw e;
    }
  }

  /** PyTorch's nn.Linear initialisation: weight and bias uniform in +-1/sqrt(fan_in). */
  private MultimodalProjector freshProjector(NDManager manager, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5EEDL);
    int vision = config.vision().hiddenSize();
    int text = config.text().hiddenSize();
    return new MultimodalProjector(
        uniform(manager, random, new Shape(text, vision), vision),
        uniform(manager, random, new Shape(text), vision),
        uniform(manager, random, new Shape(text, text), text),
        uniform(manager, random, new Shape(text), text));
  }

  private static NDArray uniform(
      NDManager manager, SplittableRandom random, Shape shape, int fanIn) {
    double bound = 1.0 / Math.sqrt(fanIn);
    float[] values = new float[(int) shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    return Tensors.float32(manager, values, shape);
  }

  private static ObjectNode visionConfig(Path towerDir) throws IOException {
    Path file = towerDir.resolve(ModelConfig.FILE);
    if (!Files.isRegularFile(file)) {
      throw new IOException("model.visionTower: no config.json in " + towerDir);
    }
    JsonNode c = JSON.readTree(file.toFile());
    String type = c.path("model_type").asText();
    ObjectNode vision;
    if (type.equals("clip_vision_model")) {
      vision = ((ObjectNode) c).deepCopy();
      vision.remove("architectures");
    } else if (type.equals("clip") && c.get("vision_config") instanceof ObjectNode v) {
      vision = v.deepCopy();
      vision.put("model_type", "clip_vision_model");
    } else {
      throw new IOException(
          "model.visionTower: "
              + file
              + " is not a CLIP model (model_type clip or clip_vision_model), got '"
              + type
              + "'");
    }
    try {
      ClipVisionConfig.parse(vision);
    } catch (IllegalArgumentException e) {
      throw new IOException("model.visionTower: " + file + ": " + e.getMessage(), e);
    }
    return vision;
  }

  private static String towerPrefix(Checkpoint checkpoint) throws IOException {
    String suffix = "embeddings.patch_embedding.weight";
    for (String n : checkpoint.tensors().keySet()) {
      if (n.endsWith(suffix) && !n.contains("text_model")) {
        return n.substring(0, n.length() - suffix.length());
      }
    }
    throw new IOException("model.visionTower: no " + suffix + " in the CLIP weights");
  }

  private static ImageProcessorConfig withPad(ImageProcessorConfig p, Boolean pad) {
    if (pad == null || pad == p.pad()) {
      return p;
    }
    ObjectNode json = p.json().deepCopy();
    json.put("do_pad", pad);
    json.put("image_processor_type", "LlavaImageProcessor");
    return ImageProcessorConfig.parse(json);
  }
}
