package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.util.Optional;

/** What the training Job says about the run. */
public record JobState(
    boolean complete,
    boolean failed,
    String failureReason,
    String failureMessage,
    String failureTime,
    boolean suspended,
    int active,
    int ready,
    int failedPods,
    String startTime,
    String completionTime) {

  public static JobState of(Job job) {
    JobStatus s = job.getStatus() == null ? new JobStatus() : job.getStatus();
    Optional<JobCondition> failed = condition(s, "Failed");
    return new JobState(
        condition(s, "Complete").isPresent(),
        failed.isPresent(),
        failed.map(JobCondition::getReason).orElse(null),
        failed.map(JobCondition::getMessage).orElse(null),
        failed.map(JobCondition::getLastTransitionTime).orElse(null),
        job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend()),
        nz(s.getActive()),
        s.getReady() != null ? s.getReady() : nz(s.getActive()),
        nz(s.getFailed()),
        s.getStartTime(),
        s.getCompletionTime());
  }

  public boolean finished() {
    return complete || failed;
  }

  private static Optional<JobCondition> condition(JobStatus s, String type) {
    return s.getConditions() == null
        ? Optional.empty()
        : s.getConditions().stream()
            .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
            .findFirst();
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
