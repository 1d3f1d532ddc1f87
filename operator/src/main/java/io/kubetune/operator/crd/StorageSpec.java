package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The job's volume: an existing claim, or a claim the operator creates. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.claimName) != has(self.claimTemplate)",
    message = "exactly one of storage.claimName and storage.claimTemplate must be set")
public record StorageSpec(
    @Size(max = 253)
        @Pattern(CelRules.DNS_SUBDOMAIN)
        @JsonPropertyDescription(
            "An existing PersistentVolumeClaim in the job's namespace. It is mounted read-write"
                + " at /mnt/pvc/<claimName> and is never deleted by the operator.")
        String claimName,
    @JsonPropertyDescription(
            "A PersistentVolumeClaim that the operator creates as <job>-storage, owned by the"
                + " FineTuneJob: deleting the job deletes it and what it holds.")
        ClaimTemplate claimTemplate) {

  /** The claim that holds the job's default output. */
  public String claimFor(String jobName) {
    return claimName != null ? claimName : jobName + "-storage";
  }
}
