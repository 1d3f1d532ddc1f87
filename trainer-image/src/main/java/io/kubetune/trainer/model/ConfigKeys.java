package io.kubetune.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which config.json keys may change a model's math, and which of them this runtime refuses. A
 * config is data: auto_map and trust_remote_code name Python code that is never run. Two rules:
 *
 * <ul>
 *   <li>A key that some Llama-family variant uses to change the forward pass (quantization, soft
 *       capping, multipliers, partial rotary, experts, ...) is refused by name unless it has its
 *       neutral value; so is a hidden_act other than silu.
 *   <li>With auto_map (remote code), any key the architecture's own configuration class does not
 *       define is refused by name: the remote modeling code may read it, and only the keys of
 *       InternLM2's published configuration_internlm2.py are known. Without auto_map, transformers'
 *       own class ignores keys it does not know, and so does this runtime.
 * </ul>
 */
final class ConfigKeys {
  /** PretrainedConfig's own keys and generation settings: none changes the forward pass. */
  private static final Set<String> GENERIC =
      Set.of(
          "architectures",
          "auto_map",
          "transformers_version",
          "torch_dtype",
          "dtype",
          "_name_or_path",
          "model_type",
          "use_cache",
          "initializer_range",
          "bos_token_id",
          "eos_token_id",
          "pad_token_id",
          "sep_token_id",
          "decoder_start_token_id",
          "tie_word_embeddings",
          "return_dict",
          "output_hidden_states",
          "output_attentions",
          "torchscript",
          "use_bfloat16",
          "pruned_heads",
          "chunk_size_feed_forward",
          "is_encoder_decoder",
          "is_decoder",
          "add_cross_attention",
          "tie_encoder_decoder",
          "max_length",
          "min_length",
          "do_sample",
          "early_stopping",
          "num_beams",
          "num_beam_groups",
          "diversity_penalty",
          "temperature",
          "top_k",
          "top_p",
          "typical_p",
          "repetition_penalty",
          "length_penalty",
          "no_repeat_ngram_size",
          "encoder_no_repeat_ngram_size",
          "bad_words_ids",
          "num_return_sequences",
          "output_scores",
          "return_dict_in_generate",
          "forced_bos_token_id",
          "forced_eos_token_id",
          "remove_invalid_values",
          "exponential_decay_length_penalty",
          "suppress_tokens",
          "begin_suppress_tokens",
          "finetuning_task",
          "id2label",
          "label2id",
          "tokenizer_class",
          "prefix",
          "task_specific_params",
          "problem_type",
          "attn_implementation",
          "_attn_implementation",
          "pretraining_tp");

  private static final Set<String> SHAPE =
      Set.of(
          "vocab_size",
          "hidden_size",
          "intermediate_size",
          "num_hidden_layers",
          "num_attention_heads",
          "num_key_value_heads",
          "hidden_act",
          "max_position_embeddings",
          "rms_norm_eps",
          "rope_theta",
          "rope_scaling");

  /**
   * Each architecture's configuration class: InternLM2Config (configuration_internlm2.py, defaults
   * in ModelConfig), transformers' LlamaConfig and Qwen2Config.
   */
  private static final Map<Architecture, Set<String>> OWN =
      Map.of(
          Architecture.INTERNLM2, Set.of("bias"),
          Architecture.LLAMA,
              Set.of(
                  "rope_parameters", "attention_bias", "attention_dropout", "mlp_bias", "head_dim"),
          Architecture.QWEN2,
              Set.of(
                  "rope_parameters",
                  "attention_dropout",
                  "use_sliding_window",
                  "sliding_window",
                  "max_window_layers",
                  "layer_types"));

  /**
   * Keys other Llama-family variants read to change the math, with the value that leaves it
   * unchanged (null: the key must be absent or null).
   */
  private static final Map<String, Object> NEUTRAL =
      Map.ofEntries(
          Map.entry("quantization_config", "absent"),
          Map.entry("partial_rotary_factor", 1.0),
          Map.entry("attn_logit_softcapping", "absent"),
          Map.entry("final_logit_softcapping", "absent"),
          Map.entry("query_pre_attn_scalar", "absent"),
          Map.entry("residual_multiplier", 1.0),
          Map.entry("embedding_multiplier", 1.0),
          Map.entry("attention_multiplier", "absent"),
          Map.entry("logits_scaling", 1.0),
          Map.entry("scale_emb", 1.0),
          Map.entry("scale_depth", "absent"),
          Map.entry("dim_model_base", "absent"),
          Map.entry("clip_qkv", "absent"),
          Map.entry("qk_layernorm", false),
          Map.entry("use_qk_norm", false),
          Map.entry("mlp_bias", false),
          Map.entry("num_experts", "absent"),
          Map.entry("num_local_experts", "absent"),
          Map.entry("moe_intermediate_size", "absent"),
          Map.entry("no_rope_layers", "absent"),
          Map.entry("rope_interleaved", false));

  private ConfigKeys() {}

  /** The problems, each naming its key; empty when the config is understood. */
  static List<String> problems(JsonNode c, Architecture arch) {
    List<String> problems = new ArrayList<>();
    String act = c.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      problems.add("hidden_act '" + act + "' is not supported (silu only)");
    }
    for (Map.Entry<String, Object> e : NEUTRAL.entrySet()) {
      JsonNode v = c.get(e.getKey());
      if (v != null && !v.isNull() && !neutral(v, e.getValue())) {
        problems.add(e.getKey() + "=" + v + " changes the model's math and is not supported");
      }
    }
    if (c.hasNonNull("auto_map")) {
      Set<String> unknown = new TreeSet<>();
      c.fieldNames()
          .forEachRemaining(
              k -> {
                if (!GENERIC.contains(k) && !known(arch, k)) {
                  unknown.add(k);
                }
              });
      for (String k : unknown) {
        problems.add(
            k
                + " is not a key of "
                + arch.modelType()
                + "'s configuration class; config.json names remote code (auto_map), which is"
                + " never run here and might read it to change the model's math");
      }
    }
    return problems;
  }

  private static boolean known(Architecture arch, String key) {
    return SHAPE.contains(key) || OWN.get(arch).contains(key);
  }

  private static boolean neutral(JsonNode v, Object neutral) {
    if (neutral instanceof Double d) {
      return v.isNumber() && v.asDouble() == d;
    }
    if (neutral instanceof Boolean b) {
      return v.isBoolean() && v.asBoolean() == b;
    }
    return false; // "absent": any value set is refused
  }
}
