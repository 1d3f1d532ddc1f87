package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TrainingProgressJsonTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void readsTheDocumentTheTrainerServes() throws Exception {
    TrainingProgress p =
        json.readValue(
            """
            {"step": 120, "totalSteps": 500, "epoch": 1, "loss": 1.25, "learningRate": 0.0002,
             "tokensPerSecond": 3021.5, "estimatedRemainingSeconds": 640, "phase": "training",
             "lastCheckpoint": "checkpoints/step-100", "updatedAt": "2026-11-29T10:00:00Z"}
            """,
            TrainingProgress.class);
    assertThat(p.step()).isEqualTo(120);
    assertThat(p.totalSteps()).isEqualTo(500);
    assertThat(p.phase()).isEqualTo(TrainingProgress.Phase.TRAINING);
    assertThat(p.lastCheckpoint()).isEqualTo("checkpoints/step-100");
  }

  @Test
  void writesExactlyTheContractFields() throws Exception {
    TrainingProgress p =
        new TrainingProgress(
            5, 10, 1, 2.0, 1e-4, 10.0, 30, TrainingProgress.Phase.EXPORTING, null, "t");
    assertThat(json.readTree(json.writeValueAsString(p)).fieldNames())
        .toIterable()
        .containsExactly(
            "step",
            "totalSteps",
            "epoch",
            "loss",
            "learningRate",
            "tokensPerSecond",
            "estimatedRemainingSeconds",
            "phase",
            "lastCheckpoint",
            "updatedAt");
    assertThat(json.writeValueAsString(p)).contains("\"phase\":\"exporting\"");
  }
}
