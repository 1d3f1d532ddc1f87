package io.kubetune.operator.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.events.EventSpec;
import io.kubetune.operator.status.Conditions;
import io.kubetune.operator.support.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FineTuneJobStatusesTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-29T10:05:00Z");

  private final FineTuneJob ftj = Fixtures.job("ns", "qwen", Fixtures.LORA_SPEC);

  @ParameterizedTest(name = "exit code {0} -> {1}")
  @CsvSource({
    "64, UsageError",
    "65, DataError",
    "66, NoInput",
    "78, ConfigError",
  })
  void permanentExitCodesNameTheReason(int code, String reason) {
    Job failed =
        job()
            .withNewStatus()
            .addToConditions(
                new JobConditionBuilder()
                    .withType("Failed")
                    .withStatus("True")
                    .withReason("PodFailurePolicy")
                    .withMessage(
                        "Container trainer for pod ns/qwen-0-x failed with exit code "
                            + code
                            + " matching FailJob rule at index 0")
                    .build())
            .endStatus()
            .build();
    FineTuneJobStatus s = compute(ftj, Optional.of(failed), Optional.empty(), T0);
    assertThat(s.phase()).isEqualTo("Failed");
    assertThat(Conditions.reason(s.conditions(), "Failed")).isEqualTo(reason);
  }

  @Test
  void backoffLimitExceededKeepsTheJobsReason() {
    Job failed =
        job()
            .withNewStatus()
            .withFailed(4)
            .addToConditions(
                new JobConditionBuilder()
                    .withType("Failed")
                    .withStatus("True")
                    .withReason("BackoffLimitExceeded")
                    .withMessage("Job has reached the specified backoff limit")
                    .build())
            .endStatus()
            .build();
    FineTuneJobStatus s = compute(ftj, Optional.of(failed), Optional.empty(), T0);
    assertThat(Conditions.reason(s.conditions(), "Failed")).isEqualTo("BackoffLimitExceeded");
    assertThat(s.restarts()).isEqualTo(4);
  }

  @Test
  void unchangedConditionsKeepTheirTransitionTimeSoTheStatusComparesEqual() {
    Job running = job().withNewStatus().withActive(1).withReady(1).endStatus().build();
    FineTuneJobStatus first = compute(ftj, Optional.of(running), Optional.empty(), T0);
    ftj.setStatus(first);
    FineTuneJobStatus second = compute(ftj, Optional.of(running), Optional.empty(), T1);
    assertThat(second).isEqualTo(first);
    assertThat(
            Conditions.find(second.conditions(), "Running").orElseThrow().getLastTransitionTime())
        .isEqualTo(T0.toString());
  }

  @Test
  void exportingIsAPhaseOfItsOwn() {
    Job running = job().withNewStatus().withActive(1).withReady(1).endStatus().build();
    var p =
        new TrainingProgress(
            500,
            500,
            1,
            0.4,
            0,
            1000,
            0,
            TrainingProgress.Phase.EXPORTING,
            "checkpoints/step-500",
            "t");
    FineTuneJobStatus s = compute(ftj, Optional.of(running), Optional.of(p), T0);
    assertThat(s.phase()).isEqualTo("Exporting");
    assertThat(s.progress().steps()).isEqualTo("500/500");
    assertThat(TransitionEvents.between(ftj, null, s))
        .extracting(EventSpec::reason)
        .contains("Created", "Exporting");
  }

  @Test
  void aJobDeletedAfterSuccessLeavesTheStatusAsItWas() {
    Job done =
        job()
            .withNewStatus()
            .withCompletionTime("2026-11-29T11:00:00Z")
            .addToConditions(
                new JobConditionBuilder().withType("Complete").withStatus("True").build())
            .endStatus()
            .build();
    FineTuneJobStatus succeeded = compute(ftj, Optional.of(done), Optional.empty(), T0);
    ftj.setStatus(succeeded);
    FineTuneJobStatus afterTtl = compute(ftj, Optional.empty(), Optional.empty(), T1);
    assertThat(afterTtl).isEqualTo(succeeded);
    assertThat(afterTtl.artifact().model()).isEqualTo("pvc://qwen-storage/qwen/hf");
  }

  /**
   * Kubernetes >= 1.31: SuccessCriteriaMet comes first, Complete once the pods have terminated; in
   * between nothing is active or ready. The phase must go Running -> Succeeded, not via Pending.
   */
  @Test
  void successCriteriaMetIsSuccessBeforeComplete() {
    JobConditionBuilder met =
        new JobConditionBuilder()
            .withType("SuccessCriteriaMet")
            .withStatus("True")
            .withReason("CompletionsReached")
            .withLastTransitionTime("2026-11-29T10:04:00Z");
    Job deciding =
        job()
            .withNewStatus()
            .withActive(0)
            .withReady(0)
            .withSucceeded(1)
            .addToConditions(met.build())
            .endStatus()
            .build();
    FineTuneJobStatus s = compute(ftj, Optional.of(deciding), Optional.empty(), T0);
    assertThat(s.phase()).isEqualTo("Succeeded");
    assertThat(s.completionTime()).isEqualTo("2026-11-29T10:04:00Z");
    ftj.setStatus(s);
    Job complete =
        job()
            .withNewStatus()
            .withActive(0)
            .withReady(0)
            .withSucceeded(1)
            .withCompletionTime("2026-11-29T10:04:01Z")
            .addToConditions(
                met.build(),
                new JobConditionBuilder()
                    .withType("Complete")
                    .withStatus("True")
                    .withReason("CompletionsReached")
                    .build())
            .endStatus()
            .build();
    assertThat(compute(ftj, Optional.of(complete), Optional.empty(), T1))
        .as("Complete after SuccessCriteriaMet changes nothing")
        .isEqualTo(s);
  }

  /** FailureTarget comes before Failed (pods still terminating): already Failed, with the cause. */
  @Test
  void failureTargetIsFailureBeforeFailed() {
    Job deciding =
        job()
            .withNewStatus()
            .withActive(0)
            .withReady(0)
            .addToConditions(
                new JobConditionBuilder()
                    .withType("FailureTarget")
                    .withStatus("True")
                    .withReason("PodFailurePolicy")
                    .withMessage(
                        "Container trainer for pod ns/qwen-0-x failed with exit code 78"
                            + " matching FailJob rule at index 0")
                    .build())
            .endStatus()
            .build();
    FineTuneJobStatus s = compute(ftj, Optional.of(deciding), Optional.empty(), T0);
    assertThat(s.phase()).isEqualTo("Failed");
    assertThat(Conditions.reason(s.conditions(), "Failed")).isEqualTo("ConfigError");
  }

  /** Issue 11, defect 3: no spec (or one the operator cannot read) is a status, not an NPE. */
  @Test
  void aJobWithoutSpecFailsWithTheProblemAndTheEventSaysIt() {
    FineTuneJob specless = Fixtures.job("ns", "qwen", "");
    specless.setSpec(null);
    specless.getMetadata().setGeneration(1L);
    FineTuneJobStatus s =
        FineTuneJobStatuses.compute(
            specless,
            new FineTuneJobStatuses.Observed(
                Optional.empty(), Optional.empty(), Optional.empty(), List.of("spec: must be set")),
            T0);
    assertThat(s.phase()).isEqualTo("Failed");
    assertThat(s.reason()).isEqualTo("InvalidSpec");
    assertThat(Conditions.find(s.conditions(), "Failed").orElseThrow().getMessage())
        .isEqualTo("spec: must be set");
    assertThat(TransitionEvents.between(specless, null, s))
        .extracting(EventSpec::reason)
        .containsExactly("InvalidSpec");
  }

  @ParameterizedTest(name = "{0} -> reason {1}")
  @CsvSource({
    "pending, Pending",
    "running, Training",
    "failed, DataError",
  })
  void theReasonColumnNamesTheConditionBehindThePhase(String state, String reason) {
    JobBuilder b = job();
    switch (state) {
      case "pending" -> b.withNewStatus().withActive(1).withReady(0).endStatus();
      case "running" -> b.withNewStatus().withActive(1).withReady(1).endStatus();
      default ->
          b.withNewStatus()
              .addToConditions(
                  new JobConditionBuilder()
                      .withType("Failed")
                      .withStatus("True")
                      .withReason("PodFailurePolicy")
                      .withMessage("Container trainer failed with exit code 65")
                      .build())
              .endStatus();
    }
    assertThat(compute(ftj, Optional.of(b.build()), Optional.empty(), T0).reason())
        .isEqualTo(reason);
  }

  private JobBuilder job() {
    return new JobBuilder(TrainingJobs.build(ftj, OperatorConfig.DEFAULT_IMAGE));
  }

  private static FineTuneJobStatus compute(
      FineTuneJob ftj, Optional<Job> job, Optional<TrainingProgress> p, Instant now) {
    ftj.getMetadata().setGeneration(1L);
    return FineTuneJobStatuses.compute(
        ftj, new FineTuneJobStatuses.Observed(job, p, Optional.empty(), List.of()), now);
  }
}
