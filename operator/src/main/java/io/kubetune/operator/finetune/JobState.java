package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.util.Optional;

/**
 * What the training Job says about the run.
 *
 * <p>Since Kubernetes 1.31 a Job is decided before it is finished: the controller first adds {@code
 * SuccessCriteriaMet} or {@code FailureTarget}, waits for the pods to terminate, and only then adds
 * {@code Complete} or {@code Failed}. In between no pod is active or ready, so those first
 * conditions count as complete and failed here; otherwise the phase flickered Running -> Pending ->
 * Succeeded (seen on a v1.36 API server by the e2e tests).
 */
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

  public static final String COMPLETE = "Complete";
  public static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";
  public static final String FAILED = "Failed";
  public static final String FAILURE_TARGET = "FailureTarget";

  public static JobState of(Job job) {
    JobStatus s = job.getStatus() == null ? new JobStatus() : job.getStatus();
    Optional<JobCondition> failed = condition(s, FAILED).or(() -> condition(s, FAILURE_TARGET));
    Optional<JobCondition> succeeded =
        condition(s, COMPLETE).or(() -> condition(s, SUCCESS_CRITERIA_MET));
    return new JobState(
        succeeded.isPresent(),
        failed.isPresent(),
        failed.map(JobCondition::getReason).orElse(null),
        failed.map(JobCondition::getMessage).orElse(null),
        failed.map(JobCondition::getLastTransitionTime).orElse(null),
        job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend()),
        nz(s.getActive()),
        s.getReady() != null ? s.getReady() : nz(s.getActive()),
        nz(s.getFailed()),
        s.getStartTime(),
        // when the pods succeeded: the Job's completionTime only comes with Complete
        condition(s, SUCCESS_CRITERIA_MET)
            .map(JobCondition::getLastTransitionTime)
            .orElse(s.getCompletionTime()));
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
