package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Where and on what the training pods run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResourcesSpec(
    @Min(1)
        @Max(128)
        @JsonPropertyDescription(
            "Training pods, one per node; WORLD_SIZE of the rendezvous (default 1).")
        Integer nodes,
    @Min(0)
        @Max(16)
        @JsonPropertyDescription(
            "nvidia.com/gpu requested by each pod; 0 trains on CPU (default 1).")
        Integer gpusPerNode,
    @Pattern(CelRules.QUANTITY)
        @JsonPropertyDescription("CPU request and limit per pod, e.g. \"8\" or \"500m\".")
        String cpu,
    @Pattern(CelRules.QUANTITY)
        @JsonPropertyDescription("Memory request and limit per pod, e.g. \"64Gi\".")
        String memory,
    @JsonPropertyDescription("Node labels the pods must match (pod.spec.nodeSelector).")
        Map<String, String> nodeSelector,
    @JsonPropertyDescription("Tolerations added to the pods (pod.spec.tolerations).")
        List<Toleration> tolerations,
    @JsonPropertyDescription("Affinity rules for the pods (pod.spec.affinity).") Affinity affinity,
    @Size(max = 253) @JsonPropertyDescription("PriorityClass of the pods.")
        String priorityClassName,
    @Size(max = 512)
        @JsonPropertyDescription(
            "Trainer container image (default: the operator's kubetune.trainer.image).")
        String image) {

  public static ResourcesSpec defaults() {
    return new ResourcesSpec(null, null, null, null, null, null, null, null, null);
  }

  public int effectiveNodes() {
    return nodes == null ? 1 : nodes;
  }

  public int effectiveGpus() {
    return gpusPerNode == null ? 1 : gpusPerNode;
  }
}
