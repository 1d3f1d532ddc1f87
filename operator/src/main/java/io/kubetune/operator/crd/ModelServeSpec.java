package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.kubetune.api.SourceUri;

/** The desired chat service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.model) != has(self.fromFineTuneJob)",
    message = "exactly one of model and fromFineTuneJob must be set")
public record ModelServeSpec(
    @Pattern(SourceUri.PATTERN)
        @JsonPropertyDescription("A HuggingFace-layout model directory: pvc://claim/path.")
        String model,
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        @JsonPropertyDescription("Serve the model exported by this FineTuneJob (same namespace).")
        String fromFineTuneJob,
    @Min(0) @Max(100) @JsonPropertyDescription("Server replicas (default 1).") Integer replicas) {}
