package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import java.util.Map;
import java.util.Objects;

/**
 * What to do with the training Job. A finished Job is never recreated by itself: a Succeeded job is
 * final and a Failed one is retried only after its spec changed (metadata.generation moved past the
 * status' observedGeneration). A Job is created only once its claim exists (when the operator makes
 * one), and a job that failed before its Job did (its pods cannot start) keeps no pods.
 */
public enum JobPlan {
  /** Leave the Job as it is (or absent). */
  KEEP,
  /** Create the Job. */
  CREATE,
  /**
   * Bring the Job's mutable fields back to the desired ones: suspend, backoffLimit,
   * activeDeadlineSeconds, TTL, parallelism and completions, the operator's labels and owner.
   */
  UPDATE,
  /** Delete the Job and create it again (its pod template is immutable). */
  REPLACE,
  /** Delete the Job: the FineTuneJob failed while the Job's pods could not start. */
  DELETE;

  /**
   * @param claimReady false while the claim that the operator makes for the job
   *     (storage.claimTemplate) does not exist: the Job waits for it
   */
  public static JobPlan decide(FineTuneJob job, Job actual, Job desired, boolean claimReady) {
    FineTuneJobStatus status = job.getStatus();
    String phase = status == null ? null : status.phase();
    boolean specChanged = specChangedSinceStatus(job);
    boolean failedBefore = FineTuneJobStatuses.FAILED.equals(phase) && !specChanged;
    if (actual == null) {
      if (FineTuneJobStatuses.SUCCEEDED.equals(phase) || failedBefore || !claimReady) {
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
    if (failedBefore) {
      return DELETE;
    }
    if (!Objects.equals(TrainingJobs.hashOf(actual), TrainingJobs.hashOf(desired))
        && state.ready() == 0) {
      return claimReady ? REPLACE : KEEP;
    }
    return mutableFieldsDiffer(actual, desired, job.getMetadata().getUid()) ? UPDATE : KEEP;
  }

  static boolean specChangedSinceStatus(FineTuneJob job) {
    Long observed = job.getStatus() == null ? null : job.getStatus().observedGeneration();
    Long generation = job.getMetadata().getGeneration();
    return observed == null || generation == null || observed < generation;
  }

  /** What a hand edit or a spec change may have changed without a new Job. */
  static boolean mutableFieldsDiffer(Job actual, Job desired, String ownerUid) {
    JobSpec a = actual.getSpec();
    JobSpec d = desired.getSpec();
    return !Objects.equals(a.getSuspend(), d.getSuspend())
        || !Objects.equals(a.getBackoffLimit(), d.getBackoffLimit())
        || !Objects.equals(a.getActiveDeadlineSeconds(), d.getActiveDeadlineSeconds())
        || !Objects.equals(a.getTtlSecondsAfterFinished(), d.getTtlSecondsAfterFinished())
        || !Objects.equals(a.getParallelism(), d.getParallelism())
        || !Objects.equals(a.getCompletions(), d.getCompletions())
        || !hasAll(actual.getMetadata().getLabels(), desired.getMetadata().getLabels())
        || !ownedBy(actual, ownerUid);
  }

  private static boolean hasAll(Map<String, String> actual, Map<String, String> wanted) {
    return wanted == null
        || wanted.isEmpty()
        || (actual != null && actual.entrySet().containsAll(wanted.entrySet()));
  }

  private static boolean ownedBy(Job job, String uid) {
    return uid == null
        || (job.getMetadata().getOwnerReferences() != null
            && job.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> uid.equals(r.getUid())));
  }
}
