package io.kubetune.trainer.export;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.io.Directories;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.weights.SafetensorsWriter;
import io.kubetune.trainer.weights.ShardedSafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a trained model in HuggingFace layout: {@code hf/}, the full model with LoRA merged into
 * the base weights, and {@code adapter/}, the adapter as PEFT saves it. Weights stream one tensor
 * at a time (a merged weight exists only while it is written). Each folder is built beside its
 * final place and renamed into it.
 */
public final class HfExporter {
  public static final String HF = "hf";
  public static final String ADAPTER = "adapter";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Tokenizer files HuggingFace tokenizers may consist of; copied when present. */
  private static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json",
          "tokenizer.model",
          "vocab.json",
          "merges.txt",
          "special_tokens_map.json",
          "added_tokens.json");

  /** The chat template file transformers 5 writes beside tokenizer_config.json. */
  private static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

  /** The folders written; adapter is null for full fine-tuning. */
  public record Result(Path hf, Path adapter) {}

  private HfExporter() {}

  public static Result export(ExportRequest request) throws IOException {
    Path hf = writeMerged(request);
    Path adapter = request.adapters() == null ? null : writeAdapter(request);
    return new Result(hf, adapter);
  }

  private static Path writeMerged(ExportRequest r) throws IOException {
    Path target = r.outputDir().resolve(HF);
    Path tmp = r.outputDir().resolve("." + HF + ".tmp");
    Directories.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    List<TensorSource> tensors = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : r.model().baseParameters().entrySet()) {
      String name = e.getKey();
      NDArray base = e.getValue();
      String module = name.endsWith(".weight") ? name.substring(0, name.length() - 7) : null;
      LoraAdapters adapters = r.adapters();
      boolean merged = adapters != null && module != null && adapters.pairs().containsKey(module);
      tensors.add(
          new TensorSource(
              name,
              r.dtype(),
              base.getShape(),
              () -> {
                r.beforeRead().accept(name);
                return merged
                    ? Aten.to(adapters.mergedWeight(module, base), r.dtype())
                    : Aten.to(base, r.dtype());
              }));
    }
    ShardedSafetensorsWriter.write(
        tmp, tensors, Map.of("format", "pt"), ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
    writeConfig(r, tmp);
    writeTokenizer(r, tmp);
    writeGenerationConfig(r, tmp);
    copyRemoteCode(r, tmp);
    return Directories.replace(tmp, target);
  }

  private static Path writeAdapter(ExportRequest r) throws IOException {
    Path target = r.outputDir().resolve(ADAPTER);
    Path tmp = r.outputDir().resolve("." + ADAPTER + ".tmp");
    Directories.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    List<TensorSource> tensors = new ArrayList<>();
    r.adapters()
        .namedParameters()
        .forEach(
            (n, t) -> {
              TensorSource whole = TensorSource.of(n, t);
              tensors.add(
                  new TensorSource(
                      n,
                      whole.dtype(),
                      whole.shape(),
                      () -> {
                        r.beforeRead().accept(n);
                        return t;
                      }));
            });
    SafetensorsWriter.write(
        tmp.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
    JSON.writeValue(tmp.resolve("adapter_config.json").toFile(), adapterConfig(r));
    // the trained chat template travels with the adapter, so serving base + adapter uses it
    writeTokenizer(r, tmp);
    return Directories.replace(tmp, target);
  }

  /** PEFT's LoraConfig as adapter_config.json, with the modules actually adapted. */
  static ObjectNode adapterConfig(ExportRequest r) {
    var spec = r.adapters().spec();
    ObjectNode c = JSON.createObjectNode();
    c.put("peft_type", "LORA");
    c.put("task_type", "CAUSAL_LM");
    c.put("base_model_name_or_path", r.baseModelName());
    c.put("r", spec.r());
    c.put("lora_alpha", spec.alpha());
    c.put("lora_dropout", spec.dropout());
    ArrayNode targets = c.putArray("target_modules");
    new TreeSet<>(
            r.adapters().pairs().keySet().stream()
                .map(m -> m.substring(m.lastIndexOf('.') + 1))
                .toList())
        .forEach(targets::add);
    c.put("bias", "none");
    c.put("fan_in_fan_out", false);
    c.put("inference_mode", true);
    c.put("init_lora_weights", true);
    c.put("use_rslora", false);
    c.put("use_dora", false);
    c.putNull("modules_to_save");
    c.putNull("layers_to_transform");
    c.putNull("layers_pattern");
    c.putNull("revision");
    return c;
  }

  private static void writeConfig(ExportRequest r, Path dir) throws IOException {
    ObjectNode config = r.model().config().json().deepCopy();
    String dtypeName = torchName(r.dtype());
    config.put("torch_dtype", dtypeName);
    if (config.has("dtype")) {
      config.put("dtype", dtypeName);
    }
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
  }

  static void writeTokenizer(ExportRequest r, Path dir) throws IOException {
    for (String f : TOKENIZER_FILES) {
      Path src = r.baseModelDir().resolve(f);
      if (Files.exists(src)) {
        Files.copy(src, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path srcConfig = r.baseModelDir().resolve("tokenizer_config.json");
    ObjectNode config =
        Files.exists(srcConfig)
            ? (ObjectNode) JSON.readTree(srcConfig.toFile())
            : JSON.createObjectNode();
    Path jinja = r.baseModelDir().resolve(CHAT_TEMPLATE_FILE);
    if (r.chatTemplate() != null) {
      config.put("chat_template", r.chatTemplate());
    } else if (Files.exists(jinja)) {
      // transformers 5 saves the template beside tokenizer_config.json; the file would win over
      // an XTuner template written into the config, so it is copied only when none is
      Files.copy(jinja, dir.resolve(CHAT_TEMPLATE_FILE), StandardCopyOption.REPLACE_EXISTING);
    }
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
  }

  /**
   * The Python files config.json's and tokenizer_config.json's auto_map name (e.g. InternLM2's
   * modeling_internlm2.py), copied as files so that the export loads where the original did
   * (transformers with trust_remote_code). kubetune itself never runs them.
   */
  private static void copyRemoteCode(ExportRequest r, Path dir) throws IOException {
    TreeSet<String> modules = new TreeSet<>();
    for (String f : List.of("config.json", "tokenizer_config.json")) {
      Path file = r.baseModelDir().resolve(f);
      if (Files.exists(file)) {
        JSON.readTree(file.toFile()).path("auto_map").forEach(v -> addModules(v, modules));
      }
    }
    for (String module : modules) {
      Path src = r.baseModelDir().resolve(module + ".py");
      if (Files.isRegularFile(src)) {
        Files.copy(src, dir.resolve(module + ".py"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static void addModules(JsonNode ref, TreeSet<String> modules) {
    if (ref.isArray()) {
      ref.forEach(v -> addModules(v, modules));
    } else if (ref.isTextual() && !ref.asText().contains("--") && ref.asText().contains(".")) {
      String module = ref.asText().substring(0, ref.asText().lastIndexOf('.'));
      if (module.matches("[A-Za-z_][A-Za-z0-9_]*")) { // a file beside config.json, not a path
        modules.add(module);
      }
    }
  }

  static void writeGenerationConfig(ExportRequest r, Path dir) throws IOException {
    Path src = r.baseModelDir().resolve("generation_config.json");
    ObjectNode gen =
        Files.exists(src) ? (ObjectNode) JSON.readTree(src.toFile()) : JSON.createObjectNode();
    TreeSet<Integer> eos = new TreeSet<>(r.eosTokenIds());
    JsonNode existing = gen.get("eos_token_id");
    if (existing != null && existing.isArray()) {
      existing.forEach(n -> eos.add(n.asInt()));
    } else if (existing != null && existing.isNumber()) {
      eos.add(existing.asInt());
    }
    ArrayNode ids = gen.putArray("eos_token_id");
    eos.forEach(ids::add);
    JSON.writeValue(dir.resolve("generation_config.json").toFile(), gen);
  }

  static String torchName(Dtype dtype) {
    return switch (dtype) {
      case F32 -> "float32";
      case BF16 -> "bfloat16";
      case F16 -> "float16";
      default -> throw new IllegalArgumentException("cannot export weights as " + dtype);
    };
  }
}
