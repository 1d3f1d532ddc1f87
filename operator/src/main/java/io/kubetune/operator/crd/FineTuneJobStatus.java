package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator observed of a FineTuneJob. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FineTuneJobStatus(
    @Size(max = 16)
        @JsonPropertyDescription(
            "Pending, Running, Exporting, Succeeded, Failed or Suspended: a summary of the"
                + " conditions.")
        String phase,
    @JsonPropertyDescription(
            "Standard conditions: Created, Running, Suspended, Succeeded, Failed and (with"
                + " spec.serve) Serving, each with a reason and a message.")
        List<Condition> conditions,
    @JsonPropertyDescription("The trainer's latest progress report.") ProgressStatus progress,
    @JsonPropertyDescription("When the training Job started (RFC 3339).") String startTime,
    @JsonPropertyDescription("When the training Job succeeded or failed (RFC 3339).")
        String completionTime,
    @JsonPropertyDescription(
            "Trainer pods that failed and were replaced (counted toward backoffLimit).")
        Integer restarts,
    @JsonPropertyDescription(
            "The newest checkpoint the trainer reported, relative to the output path; training"
                + " resumes from it.")
        String lastCheckpoint,
    @JsonPropertyDescription("The exported model, once training has succeeded.")
        ArtifactStatus artifact,
    @JsonPropertyDescription("The ModelServe created from spec.serve.") String modelServe,
    @JsonPropertyDescription("The URL of that ModelServe's OpenAI-compatible API.") String url,
    @JsonPropertyDescription("The metadata.generation this status was computed for.")
        Long observedGeneration) {}
