package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The folder that receives checkpoints/, hf/ (merged model) and adapter/ (PEFT adapter), and the
 * dtype of hf/'s weights.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutputSpec(
    @Required
        @Pattern(SourceUri.PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription("file:///abs/path or pvc://claim/path.")
        String path,
    @JsonPropertyDescription(
            "The dtype of hf/'s merged weights: base (the base model's torch_dtype, e.g. bfloat16:"
                + " the size of the base, as PEFT's merge_and_unload writes it; rounding the merged"
                + " weights to it loses part of a small LoRA update) or fp32 (the exact merge, twice"
                + " the size of a bfloat16 base). adapter/ is always written in fp32. Default base.")
        MergeDtype mergeDtype) {

  public OutputSpec(String path) {
    this(path, null);
  }

  /** The dtype hf/ is written in; null in the record means {@link MergeDtype#BASE}. */
  @JsonIgnore
  public MergeDtype effectiveMergeDtype() {
    return mergeDtype == null ? MergeDtype.BASE : mergeDtype;
  }

  /** The dtypes hf/ can be written in. */
  public enum MergeDtype {
    @JsonProperty("base")
    BASE,
    @JsonProperty("fp32")
    FP32
  }
}
