package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of a FineTuneJob. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FineTuneJobStatus(
    @JsonPropertyDescription(
            "Pending, Running, Exporting, Succeeded, Failed or Suspended: a summary of the"
                + " conditions.")
        String phase,
    @JsonPropertyDescription("Standard conditions, e.g. Created, Running, Succeeded, Failed.")
        List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation this status was computed for.")
        Long observedGeneration) {}
