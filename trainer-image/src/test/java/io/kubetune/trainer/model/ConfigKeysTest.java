package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * config.json read as data: remote-code configs, InternLM2's keys and defaults, refusals by name.
 */
class ConfigKeysTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode internlm2() throws Exception {
    return (ObjectNode)
        JSON.readTree(Fixtures.layout("internlm2-chat-1_8b").resolve("config.json").toFile());
  }

  @Test
  void thePublishedInternLm2ConfigIsUnderstoodWithItsAutoMap() throws Exception {
    ModelConfig c = ModelConfig.parse(internlm2());
    assertThat(c.architecture()).isEqualTo(Architecture.INTERNLM2);
    assertThat(c.json().has("auto_map")).isTrue(); // kept for export, never acted on
  }

  @Test
  void aKeyTheRemoteCodeMightReadIsRefusedByName() throws Exception {
    ObjectNode c = internlm2().put("attn_scale", 0.5);
    assertThatThrownBy(() -> ModelConfig.parse(c))
        .hasMessageContaining("attn_scale is not a key of internlm2's configuration class")
        .hasMessageContaining("remote code");
    c.remove("auto_map"); // transformers' own classes ignore unknown keys, and so do we
    assertThat(ModelConfig.parse(c).architecture()).isEqualTo(Architecture.INTERNLM2);
  }

  @Test
  void mathChangingKeysOfOtherVariantsAreRefusedByName() throws Exception {
    ObjectNode llama =
        (ObjectNode)
            JSON.readTree(Fixtures.layout("llama-2-7b-chat-hf").resolve("config.json").toFile());
    assertThatThrownBy(() -> ModelConfig.parse(llama.deepCopy().put("logits_scaling", 4.0)))
        .hasMessageContaining("logits_scaling=4.0 changes the model's math");
    ObjectNode quantized = llama.deepCopy();
    quantized.putObject("quantization_config").put("quant_method", "gptq");
    assertThatThrownBy(() -> ModelConfig.parse(quantized))
        .hasMessageContaining("quantization_config");
    assertThatThrownBy(() -> ModelConfig.parse(llama.deepCopy().put("hidden_act", "gelu")))
        .hasMessageContaining("hidden_act 'gelu'");
    assertThat(ModelConfig.parse(llama.deepCopy().put("mlp_bias", false))).isNotNull();
  }

  @Test
  void internLm2DefaultsAreItsOwn() throws Exception {
    ObjectNode c = internlm2();
    c.remove("bias"); // InternLM2Config's default is bias=True: biases on wqkv and wo
    assertThatThrownBy(() -> ModelConfig.parse(c)).hasMessageContaining("bias=true");
    ObjectNode d = internlm2();
    d.remove("rope_theta");
    d.remove("rms_norm_eps");
    d.remove("max_position_embeddings");
    ModelConfig parsed = ModelConfig.parse(d);
    assertThat(parsed.ropeTheta()).isEqualTo(10000.0);
    assertThat(parsed.rmsNormEps()).isEqualTo(1e-6);
    assertThat(parsed.maxPositionEmbeddings()).isEqualTo(2048);
  }

  @Test
  void internLm2RopeScalingIsValidatedAsItsConfigClassDoes() throws Exception {
    ObjectNode yarn = internlm2();
    yarn.putObject("rope_scaling").put("type", "yarn").put("factor", 2.0);
    assertThatThrownBy(() -> ModelConfig.parse(yarn)).hasMessageContaining("'yarn'");
    ObjectNode extra = internlm2();
    extra.putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0).put("alpha", 1);
    assertThatThrownBy(() -> ModelConfig.parse(extra)).hasMessageContaining("rope_scaling");
    ObjectNode small = internlm2();
    small.putObject("rope_scaling").put("type", "linear").put("factor", 0.5);
    assertThatThrownBy(() -> ModelConfig.parse(small)).hasMessageContaining(">= 1");
  }
}
