package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Checkpoint cadence and retention; training resumes from the newest checkpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointSpec(
    @Min(0)
        @JsonPropertyDescription(
            "Write a checkpoint every N optimizer steps; 0 writes one only at the end (default"
                + " 100).")
        Integer everySteps,
    @Min(1) @Max(1000) @JsonPropertyDescription("Keep the newest N checkpoints (default 3).")
        Integer keep) {

  public CheckpointSpec {
    everySteps = everySteps == null ? 100 : everySteps;
    keep = keep == null ? 3 : keep;
  }

  public static CheckpointSpec defaults() {
    return new CheckpointSpec(null, null);
  }
}
