package io.kubetune.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Why a stored spec cannot be read: the field, as a user writes it, and the reason. */
class SpecProblemTest {

  private static Object spec(String yaml) {
    return Serialization.unmarshal(yaml, Map.class);
  }

  @Test
  void anIntBeyondInt32NamesItsField() {
    assertThat(
            SpecProblem.of(
                spec(
                    """
                    model: {source: pvc://models/m}
                    datasets: [{source: pvc://d/x.jsonl}]
                    training: {maxSteps: 3000000000}
                    """),
                FineTuneJobSpec.class))
        .hasValueSatisfying(
            p ->
                assertThat(p)
                    .startsWith("spec.training.maxSteps: cannot be read by the operator: ")
                    .contains("3000000000"));
  }

  @Test
  void aListElementIsNamedByItsIndex() {
    assertThat(
            SpecProblem.of(
                spec(
                    """
                    model: {source: pvc://models/m}
                    datasets: [{source: pvc://d/x.jsonl}, {source: pvc://d/y.jsonl, maxSamples: 9999999999}]
                    """),
                FineTuneJobSpec.class))
        .hasValueSatisfying(p -> assertThat(p).startsWith("spec.datasets[1].maxSamples: "));
  }

  @Test
  void aMissingSpecMustBeSet() {
    assertThat(SpecProblem.of(null, ModelServeSpec.class)).contains("spec: must be set");
  }

  @Test
  void aReadableSpecHasNoProblem() {
    assertThat(SpecProblem.of(spec("model: pvc://runs/m/hf\n"), ModelServeSpec.class)).isEmpty();
  }
}
