package io.kubetune.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.TrainingJobSpec;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A FineTuneJob's spec is the trainer's job spec plus the cluster-only fields the trainer knows to
 * ignore: a new field on one side without the other would make `kubetune train -f` reject a whole
 * FineTuneJob, or the trainer miss a training setting.
 */
class FineTuneJobSpecFieldsTest {
  @Test
  void specIsTheTrainingSpecPlusTheClusterOnlyFields() {
    Set<String> expected = new HashSet<>(names(TrainingJobSpec.class));
    expected.addAll(TrainingJobSpec.CLUSTER_ONLY_FIELDS);
    assertThat(names(FineTuneJobSpec.class)).isEqualTo(expected);
  }

  private static Set<String> names(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents())
        .map(RecordComponent::getName)
        .collect(Collectors.toSet());
  }
}
