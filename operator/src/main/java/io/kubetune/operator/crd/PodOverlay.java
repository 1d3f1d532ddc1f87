package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;
import java.util.Map;

/**
 * A small overlay on the server pod template. It is not a chat template: the chat template is the
 * model's own (tokenizer_config.json, written by the export), so training and serving agree.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodOverlay(
    @JsonPropertyDescription(
            "Extra labels on the server pods (the operator's own labels win on a clash).")
        Map<String, String> labels,
    @JsonPropertyDescription("Extra annotations on the server pods.")
        Map<String, String> annotations,
    @Size(max = 64)
        @JsonPropertyDescription(
            "Extra environment variables of the server container (the operator's own names,"
                + " KUBETUNE_*, HOME and DJL_CACHE_DIR, win on a clash).")
        List<EnvVar> env,
    @Size(max = 253)
        @JsonPropertyDescription(
            "ServiceAccount of the server pods (default: none is mounted into the pods).")
        String serviceAccountName) {}
