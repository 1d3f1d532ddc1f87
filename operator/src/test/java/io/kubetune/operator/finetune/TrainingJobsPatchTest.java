package io.kubetune.operator.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.support.Fixtures;
import org.junit.jupiter.api.Test;

/** The merge patch that changes a running Job's mutable fields, with no resourceVersion in it. */
class TrainingJobsPatchTest {

  @Test
  void suspendingSetsEveryMutableFieldAndRemovesTheUnsetOnes() {
    var job = Fixtures.job("ns", "qwen", Fixtures.LORA_SPEC + "suspend: true\n");
    assertThat(
            TrainingJobs.mutableFieldsPatch(TrainingJobs.build(job, OperatorConfig.DEFAULT_IMAGE)))
        .isEqualTo(
            "{\"spec\":{\"suspend\":true,\"backoffLimit\":3,"
                + "\"activeDeadlineSeconds\":null,\"ttlSecondsAfterFinished\":null}}");
  }

  @Test
  void limitsAndDeadlinesAreCarried() {
    var job =
        Fixtures.job(
            "ns",
            "qwen",
            Fixtures.LORA_SPEC
                + "backoffLimit: 6\nactiveDeadlineSeconds: 86400\nttlSecondsAfterFinished: 60\n");
    assertThat(
            TrainingJobs.mutableFieldsPatch(TrainingJobs.build(job, OperatorConfig.DEFAULT_IMAGE)))
        .isEqualTo(
            "{\"spec\":{\"suspend\":false,\"backoffLimit\":6,"
                + "\"activeDeadlineSeconds\":86400,\"ttlSecondsAfterFinished\":60}}");
  }
}
