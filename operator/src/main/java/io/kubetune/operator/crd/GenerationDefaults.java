package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Sampling defaults of the chat API, used when a request does not say. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationDefaults(
    @Min(1)
        @Max(32768)
        @JsonPropertyDescription("Longest reply in tokens (kubetune serve --max-tokens).")
        Integer maxTokens,
    @Min(0)
        @Max(2)
        @JsonPropertyDescription(
            "Sampling temperature; 0 is greedy (kubetune serve --temperature).")
        Double temperature) {}
