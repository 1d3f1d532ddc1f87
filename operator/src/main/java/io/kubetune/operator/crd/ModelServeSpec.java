package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.kubetune.api.SourceUri;

/** The desired chat service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.model) != has(self.fromFineTuneJob)",
    message = "exactly one of model and fromFineTuneJob must be set")
@ValidationRule(
    value = "!has(self.adapter) || has(self.model)",
    message = "adapter needs model (the base model the adapter was trained on)",
    fieldPath = ".adapter")
@ValidationRule(
    value = "!(has(self.replicas) && has(self.autoscaling))",
    message = "replicas and autoscaling are mutually exclusive: the autoscaler sets the replicas")
@ValidationRule(
    value = "!has(self.autoscaling) || (has(self.resources) && has(self.resources.cpu))",
    message = "autoscaling needs resources.cpu: its target is a CPU utilisation",
    fieldPath = ".autoscaling")
public record ModelServeSpec(
    @Pattern(SourceUri.PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription(
            "A HuggingFace-layout model directory: pvc://claim/path (mounted read-only) or"
                + " file:///path inside the image. One of model and fromFineTuneJob.")
        String model,
    @Size(max = 63)
        @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
        @JsonPropertyDescription(
            "Serve the merged model (status.artifact.model) of this FineTuneJob in the same"
                + " namespace, once it has succeeded. One of model and fromFineTuneJob.")
        String fromFineTuneJob,
    @Pattern(SourceUri.PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription(
            "A PEFT adapter directory served on top of model (kubetune serve --adapter).")
        String adapter,
    @Min(0) @Max(100) @JsonPropertyDescription("Server replicas (default 1); not with autoscaling.")
        Integer replicas,
    @JsonPropertyDescription("GPUs, CPU, memory, scheduling and image of the server pods.")
        ServeResourcesSpec resources,
    @JsonPropertyDescription(TEMPLATE_DESCRIPTION) PodOverlay template,
    @JsonPropertyDescription("Sampling defaults of the chat API.") GenerationDefaults generation,
    @JsonPropertyDescription(API_KEY_DESCRIPTION) SecretKeyRef apiKeySecretRef,
    @JsonPropertyDescription(
            "Scale the servers with a HorizontalPodAutoscaler on CPU utilisation; not with"
                + " replicas.")
        AutoscalingSpec autoscaling) {

  static final String TEMPLATE_DESCRIPTION =
      "An overlay on the server pod template: extra labels, annotations, env and the"
          + " serviceAccountName. Not a chat template: the model's own chat template"
          + " (tokenizer_config.json, written at export) is used so that serving matches training.";

  static final String API_KEY_DESCRIPTION =
      "A Secret key holding the API key that clients must send as a Bearer token"
          + " (KUBETUNE_API_KEY); default: no key is required.";

  public ServeResourcesSpec effectiveResources() {
    return resources == null ? ServeResourcesSpec.defaults() : resources;
  }
}
