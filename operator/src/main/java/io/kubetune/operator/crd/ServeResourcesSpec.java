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

/** Resources and scheduling of each server pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServeResourcesSpec(
    @Min(0)
        @Max(16)
        @JsonPropertyDescription("nvidia.com/gpu per server pod; 0 serves on CPU (default 1).")
        Integer gpus,
    @Pattern(CelRules.QUANTITY)
        @JsonPropertyDescription(
            "CPU request and limit per pod, e.g. \"4\"; needed by autoscaling (its target is CPU"
                + " utilisation).")
        String cpu,
    @Pattern(CelRules.QUANTITY)
        @JsonPropertyDescription("Memory request and limit per pod, e.g. \"32Gi\".")
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
            "Server container image (default: the operator's kubetune.trainer.image, which"
                + " also serves).")
        String image) {

  public static ServeResourcesSpec defaults() {
    return new ServeResourcesSpec(null, null, null, null, null, null, null, null);
  }

  public int effectiveGpus() {
    return gpus == null ? 1 : gpus;
  }
}
