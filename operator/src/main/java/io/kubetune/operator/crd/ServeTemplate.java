package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The ModelServe a FineTuneJob creates when training succeeds: a ModelServe spec without the model,
 * which is the job's artifact.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.replicas) && has(self.autoscaling))",
    message = "replicas and autoscaling are mutually exclusive: the autoscaler sets the replicas")
@ValidationRule(
    value = "!has(self.autoscaling) || (has(self.resources) && has(self.resources.cpu))",
    message = "autoscaling needs resources.cpu: its target is a CPU utilisation",
    fieldPath = ".autoscaling")
public record ServeTemplate(
    @JsonPropertyDescription(
            "Serve the base model (spec.model) with the trained PEFT adapter instead of the"
                + " merged model (default false; LoRA jobs only).")
        Boolean useAdapter,
    @Min(0) @Max(100) @JsonPropertyDescription("Server replicas (default 1).") Integer replicas,
    @JsonPropertyDescription("GPUs, CPU, memory, scheduling and image of the server pods.")
        ServeResourcesSpec resources,
    @JsonPropertyDescription(ModelServeSpec.TEMPLATE_DESCRIPTION) PodOverlay template,
    @JsonPropertyDescription("Sampling defaults of the chat API.") GenerationDefaults generation,
    @JsonPropertyDescription(ModelServeSpec.API_KEY_DESCRIPTION) SecretKeyRef apiKeySecretRef,
    @JsonPropertyDescription("Scale the servers with a HorizontalPodAutoscaler.")
        AutoscalingSpec autoscaling) {

  /** The ModelServe spec for a model (and optional adapter) that training produced. */
  public ModelServeSpec toModelServeSpec(String model, String adapter) {
    return new ModelServeSpec(
        model,
        null,
        adapter,
        replicas,
        resources,
        template,
        generation,
        apiKeySecretRef,
        autoscaling);
  }

  public boolean servesAdapter() {
    return Boolean.TRUE.equals(useAdapter);
  }
}
