package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** A HorizontalPodAutoscaler for the server Deployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
    message = "autoscaling.minReplicas must be less than or equal to autoscaling.maxReplicas")
public record AutoscalingSpec(
    @Min(1) @Max(100) @JsonPropertyDescription("Fewest server pods (default 1).")
        Integer minReplicas,
    @Required @Min(1) @Max(100) @JsonPropertyDescription("Most server pods.") Integer maxReplicas,
    @Min(1)
        @Max(100)
        @JsonPropertyDescription(
            "Target average CPU utilisation in percent of the CPU request (default 80).")
        Integer targetCPUUtilizationPercentage) {

  public int effectiveMin() {
    return minReplicas == null ? 1 : minReplicas;
  }

  public int effectiveTarget() {
    return targetCPUUtilizationPercentage == null ? 80 : targetCPUUtilizationPercentage;
  }
}
