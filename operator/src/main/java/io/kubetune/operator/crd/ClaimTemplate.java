package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What the operator asks for when it creates the job's PersistentVolumeClaim. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClaimTemplate(
    @Required
        @Size(max = CelRules.QUANTITY_MAX_LENGTH)
        @ValidationRule(
            value = CelRules.POSITIVE_QUANTITY,
            message = CelRules.POSITIVE_QUANTITY_MESSAGE)
        @JsonPropertyDescription("Requested size, e.g. \"100Gi\"; more than zero.")
        String size,
    @Size(max = 253)
        @JsonPropertyDescription("StorageClass of the claim (default: the cluster's default).")
        String storageClassName,
    @Size(min = 1, max = 4)
        @JsonPropertyDescription(
            "Access modes (default ReadWriteOnce); multi-node jobs need ReadWriteMany.")
        List<AccessMode> accessModes) {

  /** PersistentVolume access modes. */
  public enum AccessMode {
    @JsonProperty("ReadWriteOnce")
    READ_WRITE_ONCE,
    @JsonProperty("ReadWriteMany")
    READ_WRITE_MANY,
    @JsonProperty("ReadWriteOncePod")
    READ_WRITE_ONCE_POD,
    @JsonProperty("ReadOnlyMany")
    READ_ONLY_MANY;

    public String wireName() {
      return switch (this) {
        case READ_WRITE_ONCE -> "ReadWriteOnce";
        case READ_WRITE_MANY -> "ReadWriteMany";
        case READ_WRITE_ONCE_POD -> "ReadWriteOncePod";
        case READ_ONLY_MANY -> "ReadOnlyMany";
      };
    }
  }
}
