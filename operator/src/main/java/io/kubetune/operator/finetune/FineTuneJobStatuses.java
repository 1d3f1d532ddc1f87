package io.kubetune.operator.finetune;

import static io.kubetune.operator.status.Conditions.of;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.crd.ArtifactStatus;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.crd.ProgressStatus;
import io.kubetune.operator.errors.OwnedFailure;
import io.kubetune.operator.pods.PodTrouble;
import io.kubetune.operator.status.Conditions;
import io.kubetune.operator.status.Kstatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Computes a FineTuneJob's status from what it owns: conditions first, the phase derived from them.
 * A pure function of its inputs (and of the clock, for new transitions).
 */
public final class FineTuneJobStatuses {
  public static final String CREATED = "Created";
  public static final String RUNNING = "Running";
  public static final String SUSPENDED = "Suspended";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";
  public static final String SERVING = "Serving";

  public static final String PENDING = "Pending";
  public static final String EXPORTING = "Exporting";

  private static final Pattern EXIT_CODE = Pattern.compile("exit code (\\d+)");
  private static final Map<Integer, String[]> EXIT_REASONS =
      Map.of(
          TrainerExitCodes.USAGE,
              new String[] {"UsageError", "the trainer's command line is wrong"},
          TrainerExitCodes.DATA_ERROR, new String[] {"DataError", "a dataset is malformed"},
          TrainerExitCodes.NO_INPUT,
              new String[] {"NoInput", "the model, a dataset or the output cannot be read"},
          TrainerExitCodes.CONFIG_ERROR, new String[] {"ConfigError", "the job spec is invalid"});

  private FineTuneJobStatuses() {}

  /**
   * What the reconciler observed: the owned Job, the trainer's report and the ModelServe; what is
   * wrong with the spec; which owned objects the API server refused; why a trainer pod does not
   * start.
   */
  public record Observed(
      Optional<Job> job,
      Optional<TrainingProgress> progress,
      Optional<ModelServe> modelServe,
      List<String> specProblems,
      List<OwnedFailure> failures,
      Optional<PodTrouble> podTrouble) {

    public Observed(
        Optional<Job> job,
        Optional<TrainingProgress> progress,
        Optional<ModelServe> modelServe,
        List<String> specProblems) {
      this(job, progress, modelServe, specProblems, List.of(), Optional.empty());
    }
  }

  public static FineTuneJobStatus compute(FineTuneJob ftj, Observed seen, Instant now) {
    FineTuneJobStatus old = ftj.getStatus();
    long generation =
        ftj.getMetadata().getGeneration() == null ? 0 : ftj.getMetadata().getGeneration();
    int nodes = ftj.getSpec() == null ? 1 : ftj.getSpec().effectiveResources().effectiveNodes();
    Optional<JobState> job = seen.job().map(JobState::of);
    String oldPhase = old == null ? null : old.phase();
    // a Job deleted after it finished (ttlSecondsAfterFinished), or by the operator after a failure
    // its pods could not start from, leaves the terminal phase as it was
    boolean finishedBefore =
        job.isEmpty()
            && seen.failures().isEmpty()
            && (SUCCEEDED.equals(oldPhase) || FAILED.equals(oldPhase));
    Optional<OwnedFailure> refused = seen.failures().stream().findFirst();

    ProgressStatus progress =
        seen.progress().map(ProgressStatus::from).orElse(old == null ? null : old.progress());
    boolean exporting =
        seen.progress().map(p -> p.phase() == TrainingProgress.Phase.EXPORTING).orElse(false);

    List<Condition> desired = new ArrayList<>();
    if (!seen.specProblems().isEmpty()) {
      String problems = String.join("; ", seen.specProblems());
      desired.add(of(CREATED, false, "InvalidSpec", problems));
      desired.add(of(RUNNING, false, "InvalidSpec", "nothing runs until the spec is fixed"));
      desired.add(of(SUSPENDED, false, "NotSuspended", "the job is not suspended"));
      desired.add(of(SUCCEEDED, false, "InvalidSpec", "nothing runs until the spec is fixed"));
      desired.add(of(FAILED, true, "InvalidSpec", problems));
    } else if (finishedBefore) {
      for (String type : List.of(CREATED, RUNNING, SUSPENDED, SUCCEEDED, FAILED)) {
        Conditions.find(old.conditions(), type)
            .ifPresent(
                c ->
                    desired.add(
                        of(type, "True".equals(c.getStatus()), c.getReason(), c.getMessage())));
      }
    } else {
      String jobName = new TrainingNames(ftj.getMetadata().getName()).trainingJob();
      if (refused.isPresent()) {
        desired.add(of(CREATED, false, refused.get().reason(), refused.get().message()));
      } else {
        desired.add(
            job.isPresent()
                ? of(
                    CREATED,
                    true,
                    "JobCreated",
                    "training Job " + jobName + " runs " + nodes + " pod(s)")
                : of(CREATED, false, "Waiting", "the training Job is being created"));
      }
      desired.add(running(job, nodes, exporting, seen.podTrouble()));
      boolean suspended =
          job.map(j -> j.suspended() && !j.finished()).orElse(ftj.getSpec().suspended());
      desired.add(
          suspended
              ? of(SUSPENDED, true, "Suspended", "pods removed; checkpoints kept")
              : of(SUSPENDED, false, "NotSuspended", "the job is not suspended"));
      desired.add(
          job.map(JobState::complete).orElse(false)
              ? of(SUCCEEDED, true, "Exported", exportedMessage(TrainingConfig.artifact(ftj)))
              : of(SUCCEEDED, false, "NotFinished", "training has not finished"));
      desired.add(failed(job, refused, seen.podTrouble()));
    }
    boolean succeeded = Conditions.isTrue(desired, SUCCEEDED);
    if (ftj.getSpec() != null && ftj.getSpec().serve() != null) {
      desired.add(serving(succeeded, seen.modelServe()));
    }
    desired.addAll(kstatus(desired));

    List<Condition> conditions =
        Conditions.merge(old == null ? null : old.conditions(), desired, generation, now);
    Optional<ModelServeState> serve = seen.modelServe().map(ModelServeState::of);
    String phase = phase(conditions);
    return new FineTuneJobStatus(
        phase,
        reason(phase, conditions),
        conditions,
        progress,
        job.map(JobState::startTime).orElse(old == null ? null : old.startTime()),
        job.map(j -> j.complete() ? j.completionTime() : j.failureTime())
            .orElse(old == null ? null : old.completionTime()),
        job.map(JobState::failedPods).orElse(old == null ? null : old.restarts()),
        seen.progress()
            .map(TrainingProgress::lastCheckpoint)
            .orElse(old == null ? null : old.lastCheckpoint()),
        succeeded ? TrainingConfig.artifact(ftj) : null,
        serve.map(ModelServeState::name).orElse(null),
        serve.map(ModelServeState::url).orElse(null),
        generation);
  }

  /** The phase is a summary of the conditions. */
  public static String phase(List<Condition> conditions) {
    if (Conditions.isTrue(conditions, FAILED)) {
      return FAILED;
    }
    if (Conditions.isTrue(conditions, SUCCEEDED)) {
      return SUCCEEDED;
    }
    if (Conditions.isTrue(conditions, SUSPENDED)) {
      return SUSPENDED;
    }
    if (Conditions.isTrue(conditions, RUNNING)) {
      return EXPORTING.equals(Conditions.reason(conditions, RUNNING)) ? EXPORTING : RUNNING;
    }
    return PENDING;
  }

  /**
   * What kstatus (Flux) reads: in progress while pending, training, exporting or, with spec.serve,
   * until the ModelServe is ready; failed when Failed; current otherwise.
   */
  private static List<Condition> kstatus(List<Condition> desired) {
    String phase = phase(desired);
    Condition serving = Conditions.find(desired, SERVING).orElse(null);
    Condition cause;
    Kstatus.State state;
    if (FAILED.equals(phase)) {
      state = Kstatus.State.FAILED;
      cause = Conditions.find(desired, FAILED).orElseThrow();
    } else if (SUCCEEDED.equals(phase)
        && serving != null
        && !Conditions.TRUE.equals(serving.getStatus())) {
      state = Kstatus.State.IN_PROGRESS;
      cause = serving;
    } else if (PENDING.equals(phase) || RUNNING.equals(phase) || EXPORTING.equals(phase)) {
      state = Kstatus.State.IN_PROGRESS;
      cause =
          Conditions.isTrue(desired, CREATED)
              ? Conditions.find(desired, RUNNING).orElseThrow()
              : Conditions.find(desired, CREATED).orElseThrow();
    } else {
      state = Kstatus.State.CURRENT;
      cause = Conditions.of(phase, true, phase, phase);
    }
    return Kstatus.conditions(state, cause.getReason(), cause.getMessage());
  }

  /**
   * Why the job is in its phase, in one word (the Reason column of kubectl get ftj): the reason of
   * the condition behind the phase.
   */
  public static String reason(String phase, List<Condition> conditions) {
    return switch (phase) {
      case FAILED, SUCCEEDED, SUSPENDED -> Conditions.reason(conditions, phase);
      case RUNNING, EXPORTING -> Conditions.reason(conditions, RUNNING);
      default ->
          Conditions.isTrue(conditions, CREATED)
              ? Conditions.reason(conditions, RUNNING)
              : Conditions.reason(conditions, CREATED);
    };
  }

  private static Condition running(
      Optional<JobState> job, int nodes, boolean exporting, Optional<PodTrouble> trouble) {
    if (job.isEmpty()) {
      return of(RUNNING, false, "Pending", "no training pods yet");
    }
    JobState j = job.get();
    if (j.complete()) {
      return of(RUNNING, false, "Completed", "training has finished");
    }
    if (j.failed()) {
      return of(RUNNING, false, FAILED, "the training Job failed");
    }
    if (j.suspended()) {
      return of(RUNNING, false, SUSPENDED, "the job is suspended");
    }
    if (j.ready() > 0) {
      String pods = j.ready() + "/" + nodes + " pod(s) ready";
      return exporting
          ? of(RUNNING, true, EXPORTING, pods + "; exporting the model")
          : of(RUNNING, true, "Training", pods);
    }
    if (trouble.isPresent()) {
      return of(RUNNING, false, trouble.get().reason(), trouble.get().describe());
    }
    return of(RUNNING, false, "Pending", j.active() + "/" + nodes + " pod(s) starting");
  }

  /**
   * Failed: the Job failed; or, before that, something only a spec change can fix: the API server
   * refused to create an owned object as invalid, or a pod's image name is invalid.
   */
  private static Condition failed(
      Optional<JobState> job, Optional<OwnedFailure> refused, Optional<PodTrouble> trouble) {
    boolean jobFailed = job.isPresent() && job.get().failed();
    if (!jobFailed && refused.isPresent() && refused.get().fatal()) {
      return of(FAILED, true, refused.get().reason(), refused.get().message());
    }
    boolean starting = job.isPresent() && !job.get().finished() && job.get().ready() == 0;
    if (!jobFailed && starting && trouble.isPresent() && trouble.get().permanent()) {
      return of(FAILED, true, trouble.get().reason(), trouble.get().describe());
    }
    if (!jobFailed) {
      return of(FAILED, false, "NoFailure", "no failure");
    }
    JobState j = job.get();
    String message = j.failureMessage() == null ? "the training Job failed" : j.failureMessage();
    Matcher m = EXIT_CODE.matcher(message);
    if (m.find()) {
      String[] meaning = EXIT_REASONS.get(Integer.parseInt(m.group(1)));
      if (meaning != null) {
        return of(FAILED, true, meaning[0], meaning[1] + ": " + message);
      }
    }
    return of(FAILED, true, j.failureReason() == null ? "JobFailed" : j.failureReason(), message);
  }

  private static Condition serving(boolean succeeded, Optional<ModelServe> ms) {
    if (!succeeded) {
      return of(SERVING, false, "WaitingForTraining", "the model is served once training succeeds");
    }
    if (ms.isEmpty()) {
      return of(SERVING, false, "Creating", "the ModelServe is being created");
    }
    ModelServeState s = ModelServeState.of(ms.get());
    if ("Ready".equals(s.phase())) {
      return of(
          SERVING, true, "ModelServeReady", "ModelServe " + s.name() + " serves at " + s.url());
    }
    if ("Failed".equals(s.phase())) {
      return of(SERVING, false, "ModelServeFailed", "ModelServe " + s.name() + " failed");
    }
    return of(SERVING, false, "ModelServePending", "ModelServe " + s.name() + " is not ready yet");
  }

  private static String exportedMessage(ArtifactStatus a) {
    return "model exported to "
        + a.model()
        + (a.adapter() == null ? "" : ", adapter to " + a.adapter());
  }

  private record ModelServeState(String name, String phase, String url) {
    static ModelServeState of(ModelServe ms) {
      var st = ms.getStatus();
      return new ModelServeState(
          ms.getMetadata().getName(), st == null ? null : st.phase(), st == null ? null : st.url());
    }
  }
}
