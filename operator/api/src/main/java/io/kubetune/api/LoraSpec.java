package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Low-rank adapter settings (PEFT's LoraConfig). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoraSpec(
    @Min(1) @Max(1024) @JsonPropertyDescription("Adapter rank r (default 8).") Integer r,
    @Min(1)
        @Max(4096)
        @JsonPropertyDescription("lora_alpha; the update is scaled by alpha / r (default 16).")
        Integer alpha,
    @Min(0)
        @Max(value = 1, inclusive = false)
        @JsonPropertyDescription("Dropout on the adapter input (default 0.05).")
        Double dropout,
    @Size(min = 1, max = 16)
        @JsonPropertyDescription(
            "Linear layers that get adapters, by their HuggingFace names (default q_proj, k_proj,"
                + " v_proj, o_proj, gate_proj, up_proj, down_proj).")
        List<String> targetModules) {

  public static final List<String> ALL_LINEAR =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public LoraSpec {
    r = r == null ? 8 : r;
    alpha = alpha == null ? 16 : alpha;
    dropout = dropout == null ? 0.05 : dropout;
    targetModules = targetModules == null ? ALL_LINEAR : List.copyOf(targetModules);
  }

  public static LoraSpec defaults() {
    return new LoraSpec(null, null, null, null);
  }
}
