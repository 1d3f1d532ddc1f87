package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;
import java.util.Map;

/**
 * A small overlay on a pod template the operator builds: the server pods of a ModelServe
 * (spec.template), the training pods of a FineTuneJob (spec.template). For a ModelServe it is not a
 * chat template: the chat template is the model's own (tokenizer_config.json, written by the
 * export), so training and serving agree.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodOverlay(
    @JsonPropertyDescription("Extra labels on the pods (the operator's own labels win on a clash).")
        Map<String, String> labels,
    @JsonPropertyDescription("Extra annotations on the pods.") Map<String, String> annotations,
    @Size(max = 64)
        @JsonPropertyDescription(
            "Extra environment variables of the trainer or server container (the operator's own"
                + " names, e.g. KUBETUNE_*, HOME, DJL_CACHE_DIR and the rendezvous variables, win"
                + " on a clash).")
        List<EnvVar> env,
    @Size(max = 253)
        @JsonPropertyDescription(
            "ServiceAccount of the pods (default: the namespace's default, with no API token"
                + " mounted).")
        String serviceAccountName) {}
