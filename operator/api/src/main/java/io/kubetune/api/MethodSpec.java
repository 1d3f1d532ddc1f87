package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Full fine-tuning, or low-rank adapters on a frozen (optionally 4-bit) base. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'full' ? !has(self.lora) : true",
    message = "method.lora must not be set when method.type is full")
public record MethodSpec(
    @JsonPropertyDescription("full, lora or qlora (default lora).") Type type,
    @JsonPropertyDescription("LoRA settings, for type lora and qlora.") LoraSpec lora) {

  public MethodSpec {
    type = type == null ? Type.LORA : type;
    lora = lora == null && type != Type.FULL ? LoraSpec.defaults() : lora;
  }

  public static MethodSpec defaults() {
    return new MethodSpec(null, null);
  }

  /** The fine-tuning methods. */
  public enum Type {
    @JsonProperty("full")
    FULL,
    @JsonProperty("lora")
    LORA,
    @JsonProperty("qlora")
    QLORA
  }
}
