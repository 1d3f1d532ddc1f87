package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Full fine-tuning, or low-rank adapters on a frozen base. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.type) || self.type != 'full' || !has(self.lora)",
    message = "method.lora must not be set when method.type is full")
public record MethodSpec(
    @ValidationRule(value = "self != 'qlora'", message = QLORA_NOT_BUILT)
        @JsonPropertyDescription(
            "full (every weight trained) or lora (adapters on a frozen base); default lora. qlora"
                + " is refused until its 4-bit base is built.")
        Type type,
    @JsonPropertyDescription("LoRA settings, for type lora.") LoraSpec lora) {

  /** Until the trainer can run it, the schema refuses QLoRA (a later issue builds it). */
  public static final String QLORA_NOT_BUILT =
      "qlora is not supported yet (the 4-bit quantized base is not built): use lora";

  public MethodSpec {
    type = type == null ? Type.LORA : type;
    lora = lora == null && type != Type.FULL ? LoraSpec.defaults() : lora;
  }

  public static MethodSpec defaults() {
    return new MethodSpec(null, null);
  }

  /** The fine-tuning methods (QLORA is refused by the schema until it is built). */
  public enum Type {
    @JsonProperty("full")
    FULL,
    @JsonProperty("lora")
    LORA,
    @JsonProperty("qlora")
    QLORA
  }
}
