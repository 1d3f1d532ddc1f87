package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The folder that receives checkpoints/, hf/ (merged model) and adapter/ (PEFT adapter). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutputSpec(
    @Required
        @Pattern(SourceUri.PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription("file:///abs/path or pvc://claim/path.")
        String path) {}
