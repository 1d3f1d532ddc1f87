package io.kubetune.trainer.export;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.io.Directories;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.vision.ImageProcessorConfig;
import io.kubetune.trainer.vision.ImageTokens;
import io.kubetune.trainer.vision.LlavaConfig;
import io.kubetune.trainer.vision.LlavaModel;
import io.kubetune.trainer.weights.SafetensorsWriter;
import io.kubetune.trainer.weights.ShardedSafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a trained LLaVA as transformers 5 saves LlavaForConditionalGeneration: {@code hf/} with
 * {@code model.language_model.*} (LoRA merged), {@code model.vision_tower.*}, {@code
 * model.multi_modal_projector.*} and {@code lm_head.weight}, config.json (LlavaConfig),
 * preprocessor_config.json and processor_config.json (LlavaProcessor), the tokenizer with {@code
 * <image>}; and with LoRA {@code adapter/}, a PEFT adapter on the LLaVA whose projector is a
 * modules_to_save module.
 */
public final class LlavaExporter {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String LANGUAGE = "model.language_model.";

  /**
   * What a LLaVA export adds to a text export's request.
   *
   * @param config the LLaVA's config (its json is written back with the training dtype)
   * @param addsImageToken the base tokenizer lacks {@code <image>}: the exported one has it
   */
  public record Parts(
      LlavaModel llava,
      LlavaConfig config,
      ImageProcessorConfig processor,
      boolean addsImageToken) {}

  private LlavaExporter() {}

  public static HfExporter.Result export(ExportRequest request, Parts parts) throws IOException {
    Path hf = writeMerged(request, parts);
    Path adapter = request.adapters() == null ? null : writeAdapter(request, parts);
    return new HfExporter.Result(hf, adapter);
  }

  /** A language model tensor's name in the LLaVA checkpoint. */
  static String llavaName(String languageName) {
    return languageName.startsWith("model.")
        ? LANGUAGE + languageName.substring("model.".length())
        : languageName;
  }

  private static Path writeMerged(ExportRequest r, Parts parts) throws IOException {
    Path target = r.outputDir().resolve(HfExporter.HF);
    Path tmp = r.outputDir().resolve("." + HfExporter.HF + ".tmp");
    Directories.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    List<TensorSource> tensors = new ArrayList<>();
    LoraAdapters adapters = r.adapters();
    for (Map.Entry<String, NDArray> e : r.model().baseParameters().entrySet()) {
      String name = e.getKey();
      NDArray base = e.getValue();
      String module = name.endsWith(".weight") ? name.substring(0, name.length() - 7) : null;
      boolean merged = adapters != null && module != null && adapters.pairs().containsKey(module);
      tensors.add(
          new TensorSource(
              llavaName(name),
              r.dtype(),
              base.getShape(),
              merged
                  ? () -> Aten.to(adapters.mergedWeight(module, base), r.dtype())
                  : () -> Aten.to(base, r.dtype())));
    }
    parts
        .llava()
        .tower()
        .parameters()
        .forEach((n, t) -> tensors.add(cast("model.vision_tower." + n, t, r)));
    parts
        .llava()
        .projector()
        .parameters()
        .forEach((n, t) -> tensors.add(cast("model.multi_modal_projector." + n, t, r)));
    ShardedSafetensorsWriter.write(
        tmp, tensors, Map.of("format", "pt"), ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
    ObjectNode config = parts.config().json().deepCopy();
    String dtype = HfExporter.torchName(r.dtype());
    config.put("torch_dtype", dtype);
    config.remove("dtype");
    ((ObjectNode) config.get("text_config")).put("torch_dtype", dtype);
    JSON.writeValue(tmp.resolve("config.json").toFile(), config);
    writeProcessorFiles(parts, tmp);
    HfExporter.writeTokenizer(r, tmp);
    if (parts.addsImageToken()) {
      addImageToken(tmp, parts.config().imageTokenId());
    }
    HfExporter.writeGenerationConfig(r, tmp);
    return Directories.replace(tmp, target);
  }

  private static TensorSource cast(String name, NDArray t, ExportRequest r) {
    return new TensorSource(name, r.dtype(), t.getShape(), () -> Aten.to(t, r.dtype()));
  }

  /** preprocessor_config.json as training used it, and LlavaProcessor's processor_config.json. */
  private static void writeProcessorFiles(Parts parts, Path dir) throws IOException {
    JSON.writeValue(dir.resolve(ImageProcessorConfig.FILE).toFile(), parts.processor().json());
    ObjectNode processor = JSON.createObjectNode();
    processor.put("processor_class", "LlavaProcessor");
    processor.put("image_token", ImageTokens.TEXT);
    processor.put("patch_size", parts.config().vision().patchSize());
    processor.put("vision_feature_select_strategy", parts.config().dropCls() ? "default" : "full");
    processor.put("num_additional_image_tokens", 1);
    JSON.writeValue(dir.resolve("processor_config.json").toFile(), processor);
  }

  /** The exported tokenizer.json and tokenizer_config.json gain {@code <image>} at its id. */
  private static void addImageToken(Path dir, int id) throws IOException {
    Path tokenizer = dir.resolve("tokenizer.json");
    ObjectNode root = (ObjectNode) JSON.readTree(tokenizer.toFile());
    JSON.writeValue(tokenizer.toFile(), Tokenizer.withSpecialToken(root, ImageTokens.TEXT, id));
    Path configFile = dir.resolve("tokenizer_config.json");
    ObjectNode config = (ObjectNode) JSON.readTree(configFile.toFile());
    ObjectNode decoder =
        config.has("added_tokens_decoder")
            ? (ObjectNode) config.get("added_tokens_decoder")
            : config.putObject("added_tokens_decoder");
    ObjectNode entry = decoder.putObject(Integer.toString(id));
    entry.put("content", ImageTokens.TEXT);
    entry.put("lstrip", false);
    entry.put("normalized", false);
    entry.put("rstrip", false);
    entry.put("single_word", false);
    entry.put("special", true);
    JSON.writeValue(configFile.toFile(), config);
  }

  /**
   * The adapter as PEFT saves a LoRA on LlavaForConditionalGeneration: lora_A/B of the language
   * model's layers and the projector as modules_to_save.
   */
  private static Path writeAdapter(ExportRequest r, Parts parts) throws IOException {
    Path target = r.outputDir().resolve(HfExporter.ADAPTER);
    Path tmp = r.outputDir().resolve("." + HfExporter.ADAPTER + ".tmp");
    Directories.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    List<TensorSource> tensors = new ArrayList<>();
    String peft = "base_model.model.";
    r.adapters()
        .namedParameters()
        .forEach(
            (n, t) ->
                tensors.add(TensorSource.of(peft + llavaName(n.substring(peft.length())), t)));
    parts
        .llava()
        .projector()
        .parameters()
        .forEach(
            (n, t) -> tensors.add(TensorSource.of(peft + "model.multi_modal_projector." + n, t)));
    SafetensorsWriter.write(
        tmp.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
    ObjectNode config = HfExporter.adapterConfig(r);
    ArrayNode modules = config.putArray("modules_to_save");
    modules.add("multi_modal_projector");
    // only the language model's projections: a regex, since the tower has q_proj too
    TreeSet<String> shortNames = new TreeSet<>();
    r.adapters().pairs().keySet().forEach(m -> shortNames.add(m.substring(m.lastIndexOf('.') + 1)));
    config.put(
        "target_modules",
        "model\\.language_model\\.layers\\.\\d+\\..*\\.(" + String.join("|", shortNames) + ")");
    config.put("task_type", (String) null);
    JSON.writeValue(tmp.resolve("adapter_config.json").toFile(), config);
    HfExporter.writeTokenizer(r, tmp);
    if (parts.addsImageToken()) {
      addImageToken(tmp, parts.config().imageTokenId());
    }
    return Directories.replace(tmp, target);
  }
}
