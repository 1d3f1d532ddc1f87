package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A HuggingFace-layout model directory. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSource(
    @Required
        @Pattern(SourceUri.PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription(
            "Where the model directory is: file:///abs/path or pvc://claim/path. The directory"
                + " holds config.json, *.safetensors and the tokenizer files.")
        String source,
    @Size(max = 256)
        @JsonPropertyDescription("Optional revision label, recorded with the artifact.")
        String revision) {}
