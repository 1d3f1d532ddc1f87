package io.kubetune.operator.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.status.Conditions;
import io.kubetune.operator.status.Kstatus;
import io.kubetune.operator.support.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * kstatus' Reconciling and Stalled conditions, which Flux reads (deploy/tools/gitops checks the
 * real kstatus library on objects recorded from the e2e cluster).
 */
class FineTuneJobKstatusTest {
  private final FineTuneJob ftj = Fixtures.job("ns", "qwen", Fixtures.LORA_SPEC);

  @Test
  void pendingAndTrainingAreInProgress() {
    FineTuneJobStatus pending = compute(Optional.empty());
    assertThat(condition(pending, Kstatus.RECONCILING).getStatus()).isEqualTo("True");
    assertThat(condition(pending, Kstatus.RECONCILING).getReason()).isEqualTo("Waiting");
    assertThat(condition(pending, Kstatus.STALLED).getStatus()).isEqualTo("False");

    FineTuneJobStatus running =
        compute(Optional.of(job().withNewStatus().withActive(1).withReady(1).endStatus().build()));
    assertThat(running.phase()).isEqualTo("Running");
    assertThat(condition(running, Kstatus.RECONCILING).getReason()).isEqualTo("Training");
  }

  @Test
  void aFailureStallsWithItsReasonAndASuccessIsCurrent() {
    FineTuneJobStatus failed =
        compute(
            Optional.of(
                job()
                    .withNewStatus()
                    .addToConditions(
                        new JobConditionBuilder()
                            .withType("Failed")
                            .withStatus("True")
                            .withReason("PodFailurePolicy")
                            .withMessage("Container trainer failed with exit code 65")
                            .build())
                    .endStatus()
                    .build()));
    assertThat(condition(failed, Kstatus.STALLED).getStatus()).isEqualTo("True");
    assertThat(condition(failed, Kstatus.STALLED).getReason()).isEqualTo("DataError");
    assertThat(condition(failed, Kstatus.RECONCILING).getStatus()).isEqualTo("False");

    FineTuneJobStatus done =
        compute(
            Optional.of(
                job()
                    .withNewStatus()
                    .withSucceeded(1)
                    .addToConditions(
                        new JobConditionBuilder().withType("Complete").withStatus("True").build())
                    .endStatus()
                    .build()));
    assertThat(done.phase()).isEqualTo("Succeeded");
    assertThat(condition(done, Kstatus.RECONCILING).getStatus()).isEqualTo("False");
    assertThat(condition(done, Kstatus.STALLED).getStatus()).isEqualTo("False");
    assertThat(done.conditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
  }

  private static Condition condition(FineTuneJobStatus s, String type) {
    return Conditions.find(s.conditions(), type).orElseThrow();
  }

  private JobBuilder job() {
    return new JobBuilder(TrainingJobs.build(ftj, OperatorConfig.DEFAULT_IMAGE));
  }

  private FineTuneJobStatus compute(Optional<Job> job) {
    ftj.getMetadata().setGeneration(3L);
    return FineTuneJobStatuses.compute(
        ftj,
        new FineTuneJobStatuses.Observed(job, Optional.empty(), Optional.empty(), List.of()),
        Instant.parse("2026-11-29T10:00:00Z"));
  }
}
