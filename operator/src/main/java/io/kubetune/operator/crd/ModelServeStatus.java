package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of a ModelServe. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelServeStatus(
    @JsonPropertyDescription("Pending, Ready or Failed: a summary of the conditions.") String phase,
    @JsonPropertyDescription(
            "The in-cluster base URL of the OpenAI-compatible API: http://<name>.<namespace>.svc/v1.")
        String url,
    @JsonPropertyDescription("Server pods that are ready.") Integer readyReplicas,
    @JsonPropertyDescription("The model being served (resolved from fromFineTuneJob if set).")
        String model,
    @JsonPropertyDescription(
            "Standard conditions: ModelResolved and Ready; and kstatus' Reconciling (True until a"
                + " server is ready) and Stalled (True when Failed), which Flux and other kstatus"
                + " readers use. Each carries the observedGeneration it was computed for.")
        List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation this status was computed for.")
        Long observedGeneration) {}
