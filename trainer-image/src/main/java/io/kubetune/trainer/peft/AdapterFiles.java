package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.api.LoraSpec;
import io.kubetune.trainer.io.JsonFiles;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors). */
public final class AdapterFiles {
  private static final Pattern NAME =
      Pattern.compile("base_model\\.model\\.(.+)\\.lora_([AB])(?:\\.default)?\\.weight");

  private AdapterFiles() {}

  public static LoraAdapters read(NDManager manager, Path dir) throws IOException {
    Path configFile = dir.resolve("adapter_config.json");
    Path weightsFile = dir.resolve("adapter_model.safetensors");
    if (!Files.exists(configFile) || !Files.exists(weightsFile)) {
      throw new NoSuchFileException(
          dir + ": not a PEFT adapter (needs adapter_config.json and adapter_model.safetensors)");
    }
    JsonNode c;
    try {
      c = JsonFiles.read(configFile);
    } catch (JsonFiles.InvalidJsonException e) {
      throw new AdapterFormatException(e.getMessage());
    }
    if (!"LORA".equals(c.path("peft_type").asText())) {
      throw new AdapterFormatException(
          configFile + ": peft_type " + c.path("peft_type") + " is not LORA");
    }
    if (c.path("use_dora").asBoolean(false) || c.path("use_rslora").asBoolean(false)) {
      throw new AdapterFormatException(configFile + ": DoRA and rsLoRA adapters are not supported");
    }
    List<String> targets = new ArrayList<>();
    c.path("target_modules").forEach(n -> targets.add(n.asText()));
    if (c.path("r").asInt() < 1 || c.path("lora_alpha").asDouble() <= 0) {
      throw new AdapterFormatException(
          configFile
              + ": r and lora_alpha must be positive, got "
              + c.path("r")
              + " and "
              + c.path("lora_alpha"));
    }
    LoraSpec spec =
        new LoraSpec(
            c.path("r").asInt(),
            c.path("lora_alpha").asInt(),
            c.path("lora_dropout").asDouble(0),
            targets.isEmpty() ? null : targets);
    Map<String, ai.djl.ndarray.NDArray[]> byModule = new LinkedHashMap<>();
    try (SafetensorsFile weights = SafetensorsFile.open(weightsFile)) {
      for (String name : weights.tensors().keySet()) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
          throw new AdapterFormatException(weightsFile + ": unexpected tensor '" + name + "'");
        }
        ai.djl.ndarray.NDArray[] pair =
            byModule.computeIfAbsent(m.group(1), k -> new ai.djl.ndarray.NDArray[2]);
        // copies: the file is closed when this returns
        pair[m.group(2).equals("A") ? 0 : 1] = weights.load(manager, name).duplicate();
      }
    }
    Map<String, LoraAdapters.Pair> pairs = new LinkedHashMap<>();
    for (var e : byModule.entrySet()) {
      if (e.getValue()[0] == null || e.getValue()[1] == null) {
        throw new AdapterFormatException(
            weightsFile + ": " + e.getKey() + " lacks lora_A or lora_B");
      }
      pairs.put(e.getKey(), new LoraAdapters.Pair(e.getValue()[0], e.getValue()[1]));
    }
    return LoraAdapters.of(manager, spec, pairs);
  }
}
