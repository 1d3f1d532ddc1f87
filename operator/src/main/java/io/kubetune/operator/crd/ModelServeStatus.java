package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of a ModelServe. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelServeStatus(
    @JsonPropertyDescription("Pending, Ready or Failed.") String phase,
    @JsonPropertyDescription("The in-cluster URL of the OpenAI-compatible API.") String url,
    @JsonPropertyDescription("Server pods that are ready.") Integer readyReplicas,
    @JsonPropertyDescription("Standard conditions, e.g. Ready.") List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation this status was computed for.")
        Long observedGeneration) {}
