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
    @Size(max = 64)
        @JsonPropertyDescription(
            "Why the job is in its phase, in one word: the reason of the condition behind the"
                + " phase (e.g. DataError or FailedCreate for a Failed job, Unschedulable or"
                + " ErrImagePull for a Pending one).")
        String reason,
    @JsonPropertyDescription(
            "Standard conditions: Created, Running, Suspended, Succeeded, Failed and (with"
                + " spec.serve) Serving, each with a reason and a message. Created is False with"
                + " reason FailedCreate or FailedUpdate and the API server's message when it"
                + " refuses an object the operator makes. And kstatus' Reconciling (True while"
                + " pending, training, exporting or, with spec.serve, until the ModelServe is"
                + " ready) and Stalled (True when Failed), which Flux and other kstatus readers"
                + " use. Each carries the observedGeneration it was computed for.")
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
