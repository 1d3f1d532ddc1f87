package io.kubetune.trainer.model;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Llama-family architectures, each with its HuggingFace tensor names as a table of templates
 * ({@code {i}} is the layer index). Llama and Qwen2 share names; InternLM2 packs q, k and v into
 * one {@code wqkv} projection.
 */
public enum Architecture {
  LLAMA("llama", false, llamaNames()),
  QWEN2("qwen2", true, llamaNames()),
  INTERNLM2("internlm2", false, internlm2Names());

  private final String modelType;
  private final boolean qkvBias;
  private final Map<WeightRole, String> names;

  Architecture(String modelType, boolean qkvBias, Map<WeightRole, String> names) {
    this.modelType = modelType;
    this.qkvBias = qkvBias;
    this.names = names;
  }

  /** The architecture for config.json's model_type. */
  public static Architecture forModelType(String modelType) {
    return Arrays.stream(values())
        .filter(a -> a.modelType.equals(modelType))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "model_type '"
                        + modelType
                        + "' is not supported; supported: "
                        + Arrays.stream(values())
                            .map(a -> a.modelType)
                            .collect(Collectors.joining(", "))));
  }

  public String modelType() {
    return modelType;
  }

  /** Qwen2 always has q/k/v biases; Llama and InternLM2 follow their config's bias flag. */
  public boolean alwaysHasQkvBias() {
    return qkvBias;
  }

  public boolean packedQkv() {
    return this == INTERNLM2;
  }

  /** The HuggingFace tensor name of a weight; layer is ignored for model-level roles. */
  public String tensorName(WeightRole role, int layer) {
    String template = names.get(role);
    if (template == null) {
      throw new IllegalArgumentException(modelType + " has no " + role + " weight");
    }
    return template.replace("{i}", Integer.toString(layer));
  }

  public boolean has(WeightRole role) {
    return names.containsKey(role);
  }

  private static Map<WeightRole, String> llamaNames() {
    Map<WeightRole, String> m = new EnumMap<>(WeightRole.class);
    m.put(WeightRole.EMBED, "model.embed_tokens.weight");
    m.put(WeightRole.FINAL_NORM, "model.norm.weight");
    m.put(WeightRole.LM_HEAD, "lm_head.weight");
    m.put(WeightRole.ATTN_NORM, "model.layers.{i}.input_layernorm.weight");
    m.put(WeightRole.Q, "model.layers.{i}.self_attn.q_proj.weight");
    m.put(WeightRole.K, "model.layers.{i}.self_attn.k_proj.weight");
    m.put(WeightRole.V, "model.layers.{i}.self_attn.v_proj.weight");
    m.put(WeightRole.Q_BIAS, "model.layers.{i}.self_attn.q_proj.bias");
    m.put(WeightRole.K_BIAS, "model.layers.{i}.self_attn.k_proj.bias");
    m.put(WeightRole.V_BIAS, "model.layers.{i}.self_attn.v_proj.bias");
    m.put(WeightRole.O, "model.layers.{i}.self_attn.o_proj.weight");
    m.put(WeightRole.MLP_NORM, "model.layers.{i}.post_attention_layernorm.weight");
    m.put(WeightRole.GATE, "model.layers.{i}.mlp.gate_proj.weight");
    m.put(WeightRole.UP, "model.layers.{i}.mlp.up_proj.weight");
    m.put(WeightRole.DOWN, "model.layers.{i}.mlp.down_proj.weight");
    return m;
  }

  private static Map<WeightRole, String> internlm2Names() {
    Map<WeightRole, String> m = new EnumMap<>(WeightRole.class);
    m.put(WeightRole.EMBED, "model.tok_embeddings.weight");
    m.put(WeightRole.FINAL_NORM, "model.norm.weight");
    m.put(WeightRole.LM_HEAD, "output.weight");
    m.put(WeightRole.ATTN_NORM, "model.layers.{i}.attention_norm.weight");
    m.put(WeightRole.QKV, "model.layers.{i}.attention.wqkv.weight");
    m.put(WeightRole.QKV_BIAS, "model.layers.{i}.attention.wqkv.bias");
    m.put(WeightRole.O, "model.layers.{i}.attention.wo.weight");
    m.put(WeightRole.MLP_NORM, "model.layers.{i}.ffn_norm.weight");
    m.put(WeightRole.GATE, "model.layers.{i}.feed_forward.w1.weight");
    m.put(WeightRole.UP, "model.layers.{i}.feed_forward.w3.weight");
    m.put(WeightRole.DOWN, "model.layers.{i}.feed_forward.w2.weight");
    return m;
  }
}
