package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Where and on what the training pods run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResourcesSpec(
    @Min(1) @Max(128) @JsonPropertyDescription("Training pods, one per node (default 1).")
        Integer nodes,
    @Min(0) @Max(16) @JsonPropertyDescription("nvidia.com/gpu per pod (default 1).")
        Integer gpusPerNode,
    @JsonPropertyDescription("CPU request and limit per pod, e.g. \"8\".") String cpu,
    @JsonPropertyDescription("Memory request and limit per pod, e.g. \"64Gi\".") String memory,
    @JsonPropertyDescription("Node labels the pods must match.") Map<String, String> nodeSelector,
    @JsonPropertyDescription("Tolerations added to the pods.") List<Toleration> tolerations,
    @JsonPropertyDescription("Affinity rules for the pods.") Affinity affinity,
    @JsonPropertyDescription("PriorityClass of the pods.") String priorityClassName,
    @JsonPropertyDescription("Trainer container image (default: the operator's trainer image).")
        String image) {}
