package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where the trained model is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArtifactStatus(
    @JsonPropertyDescription("The merged model, HuggingFace layout: <output>/hf.") String model,
    @JsonPropertyDescription("The PEFT adapter: <output>/adapter (LoRA only).") String adapter,
    @JsonPropertyDescription("The layout of both: huggingface.") String format) {

  public static final String HUGGINGFACE = "huggingface";
}
