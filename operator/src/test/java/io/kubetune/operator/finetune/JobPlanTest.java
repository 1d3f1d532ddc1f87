package io.kubetune.operator.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.kubetune.operator.Labels;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.support.Fixtures;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What happens to the training Job, for each state of the FineTuneJob and of the Job. */
class JobPlanTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // case | phase | observed generation | job | template | plan
        "no Job yet |  |  | none | same | CREATE",
        "no Job yet, its claim not yet created |  |  | none | no-claim | KEEP",
        "no Job after success (TTL) | Succeeded | 2 | none | same | KEEP",
        "no Job after failure, spec unchanged | Failed | 2 | none | same | KEEP",
        "no Job after failure, spec changed | Failed | 1 | none | same | CREATE",
        "complete Job | Running | 2 | complete | changed | KEEP",
        "failed Job, spec unchanged | Failed | 2 | failed | same | KEEP",
        "failed Job, status not yet written | Running | 2 | failed | same | KEEP",
        "failed Job, spec changed | Failed | 1 | failed | changed | REPLACE",
        "running Job, template changed | Running | 2 | running | changed | KEEP",
        "pending Job, template changed | Pending | 1 | pending | changed | REPLACE",
        "running Job, suspend requested | Running | 1 | running | suspend | UPDATE",
        "running Job, nothing changed | Running | 2 | running | same | KEEP",
        "running Job, parallelism set to 0 by hand | Running | 2 | running | parallelism | UPDATE",
        "running Job, a label removed by hand | Running | 2 | running | label | UPDATE",
        "pending Job, its pods cannot start (Failed) | Failed | 2 | pending | same | DELETE",
        "pending Job, spec changed after that | Failed | 1 | pending | changed | REPLACE",
      })
  void decides(
      String name, String phase, Long observed, String job, String template, JobPlan expected) {
    FineTuneJob ftj = Fixtures.job("ns", "qwen", Fixtures.LORA_SPEC);
    ftj.getMetadata().setGeneration(2L);
    ftj.setStatus(
        new FineTuneJobStatus(
            phase, null, List.of(), null, null, null, null, null, null, null, null, observed));
    Job desired = TrainingJobs.build(ftj, OperatorConfig.DEFAULT_IMAGE);
    Job actual = actual(job, ftj, template);
    assertThat(JobPlan.decide(ftj, actual, desired, !template.equals("no-claim")))
        .isEqualTo(expected);
  }

  private static Job actual(String state, FineTuneJob ftj, String template) {
    if (state.equals("none")) {
      return null;
    }
    Job job =
        TrainingJobs.build(
            ftj, template.equals("changed") ? "other:image" : OperatorConfig.DEFAULT_IMAGE);
    JobBuilder b = new JobBuilder(job);
    switch (template) {
      case "suspend" ->
          b.editSpec().withSuspend(!Boolean.TRUE.equals(job.getSpec().getSuspend())).endSpec();
      case "parallelism" -> b.editSpec().withParallelism(0).endSpec();
      case "label" -> b.editMetadata().removeFromLabels(Labels.COMPONENT).endMetadata();
      default -> {}
    }
    switch (state) {
      case "complete" ->
          b.withNewStatus()
              .addToConditions(
                  new JobConditionBuilder().withType("Complete").withStatus("True").build())
              .endStatus();
      case "failed" ->
          b.withNewStatus()
              .withFailed(4)
              .addToConditions(
                  new JobConditionBuilder().withType("Failed").withStatus("True").build())
              .endStatus();
      case "running" -> b.withNewStatus().withActive(1).withReady(1).endStatus();
      case "pending" -> b.withNewStatus().withActive(1).withReady(0).endStatus();
      default -> throw new IllegalArgumentException(state);
    }
    return b.build();
  }
}
