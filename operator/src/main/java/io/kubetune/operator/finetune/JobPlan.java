package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import java.util.Objects;

/**
 * What to do with the training Job. A finished Job is never recreated by itself: a Succeeded job is
 * final and a Failed one is retried only after its spec changed (metadata.generation moved past the
 * status' observedGeneration).
 */
public enum JobPlan {
  /** Leave the Job as it is (or absent). */
  KEEP,
  /** Create the Job. */
  CREATE,
  /** Change the Job's mutable fields: suspend, backoffLimit, activeDeadlineSeconds, TTL. */
  UPDATE,
  /** Delete the Job and create it again (its pod template is immutable). */
  REPLACE;

  public static JobPlan decide(FineTuneJob job, Job actual, Job desired) {
    FineTuneJobStatus status = job.getStatus();
    String phase = status == null ? null : status.phase();
    boolean specChanged = specChangedSinceStatus(job);
    if (actual == null) {
      if ("Succeeded".equals(phase) || ("Failed".equals(phase) && !specChanged)) {
        return KEEP;
      }
      return CREATE;
    }
    JobState state = JobState.of(actual);
    if (state.complete()) {
      return KEEP;
    }
    if (state.failed()) {
      return specChanged ? REPLACE : KEEP;
    }
    if (!Objects.equals(TrainingJobs.hashOf(actual), TrainingJobs.hashOf(desired))
        && state.ready() == 0) {
      return REPLACE;
    }
    return mutableFieldsDiffer(actual.getSpec(), desired.getSpec()) ? UPDATE : KEEP;
  }

  static boolean specChangedSinceStatus(FineTuneJob job) {
    Long observed = job.getStatus() == null ? null : job.getStatus().observedGeneration();
    Long generation = job.getMetadata().getGeneration();
    return observed == null || generation == null || observed < generation;
  }

  static boolean mutableFieldsDiffer(JobSpec actual, JobSpec desired) {
    return !Objects.equals(actual.getSuspend(), desired.getSuspend())
        || !Objects.equals(actual.getBackoffLimit(), desired.getBackoffLimit())
        || !Objects.equals(actual.getActiveDeadlineSeconds(), desired.getActiveDeadlineSeconds())
        || !Objects.equals(
            actual.getTtlSecondsAfterFinished(), desired.getTtlSecondsAfterFinished());
  }
}
