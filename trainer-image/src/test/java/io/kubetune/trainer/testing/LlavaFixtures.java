package io.kubetune.trainer.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.api.LoraSpec;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.util.LinkedHashMap;
import java.util.Map;

/** What fixtures/llava holds beyond plain tensors. */
public final class LlavaFixtures {
  private LlavaFixtures() {}

  /**
   * The LoRA adapters on the language model as peft initialised them for the reference finetune
   * step (train.safetensors' lora_init.*, settings from reference.json), keyed by our module names
   * (model.layers.0.self_attn.q_proj), dropout 0.
   */
  public static LoraAdapters loraInit(NDManager manager, SafetensorsFile train, JsonNode ref) {
    String prefix = "lora_init.base_model.model.model.language_model.";
    Map<String, NDArray[]> halves = new LinkedHashMap<>();
    for (String name : train.tensors().keySet()) {
      if (name.startsWith(prefix)) {
        // rest: layers.0.self_attn.q_proj.lora_A.default.weight
        String rest = name.substring(prefix.length());
        String module = "model." + rest.substring(0, rest.indexOf(".lora_"));
        NDArray[] pair = halves.computeIfAbsent(module, k -> new NDArray[2]);
        pair[rest.contains(".lora_A.") ? 0 : 1] = train.load(manager, name).duplicate();
      }
    }
    Map<String, LoraAdapters.Pair> pairs = new LinkedHashMap<>();
    halves.forEach((m, p) -> pairs.put(m, new LoraAdapters.Pair(p[0], p[1])));
    JsonNode lora = ref.get("lora");
    return LoraAdapters.of(
        manager,
        new LoraSpec(lora.get("r").asInt(), lora.get("lora_alpha").asInt(), 0.0, null),
        pairs);
  }
}
