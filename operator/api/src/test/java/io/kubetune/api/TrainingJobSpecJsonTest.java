package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import org.junit.jupiter.api.Test;

class TrainingJobSpecJsonTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void fillsDefaultsForOmittedBlocks() throws Exception {
    TrainingJobSpec spec =
        json.readValue(
            """
            {"model": {"source": "file:///m"},
             "datasets": [{"source": "file:///d.jsonl", "format": "alpaca"}]}
            """,
            TrainingJobSpec.class);
    assertThat(spec.method().type()).isEqualTo(MethodSpec.Type.LORA);
    assertThat(spec.method().lora().r()).isEqualTo(8);
    assertThat(spec.method().lora().targetModules()).contains("q_proj", "down_proj");
    assertThat(spec.training().learningRate()).isEqualTo(2e-4);
    assertThat(spec.training().schedule()).isEqualTo(TrainingSpec.Schedule.COSINE);
    assertThat(spec.datasets().get(0).format()).isEqualTo(DatasetSpec.Format.ALPACA);
    assertThat(spec.datasets().get(0).template()).isEqualTo(DatasetSpec.Template.TOKENIZER);
    assertThat(spec.checkpoint().keep()).isEqualTo(3);
  }

  @Test
  void fullFineTuningHasNoLoraBlock() throws Exception {
    MethodSpec method = json.readValue("{\"type\": \"full\"}", MethodSpec.class);
    assertThat(method.lora()).isNull();
  }

  @Test
  void unknownFieldIsAnErrorNamingIt() {
    assertThatThrownBy(
            () -> json.readValue("{\"training\": {\"learningrate\": 1}}", TrainingJobSpec.class))
        .isInstanceOf(UnrecognizedPropertyException.class)
        .hasMessageContaining("learningrate");
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    TrainingJobSpec spec =
        json.readValue(
            "{\"model\": {\"source\": \"pvc://m/x\"}, \"datasets\": [{\"source\":"
                + " \"pvc://d/y.jsonl\"}], \"method\": {\"type\": \"full\"}}",
            TrainingJobSpec.class);
    assertThat(json.readValue(json.writeValueAsString(spec), TrainingJobSpec.class))
        .isEqualTo(spec);
  }
}
