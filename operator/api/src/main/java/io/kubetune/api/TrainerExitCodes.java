package io.kubetune.api;

import java.util.List;

/**
 * Exit codes of {@code kubetune train}, the contract between the trainer and the Job's
 * podFailurePolicy: permanent errors fail the job at once, retryable ones are retried within the
 * backoff limit. Values follow BSD sysexits.h.
 */
public final class TrainerExitCodes {
  /** Training finished and the model was exported. */
  public static final int SUCCESS = 0;

  /** The command line was wrong. Permanent. */
  public static final int USAGE = 64;

  /** A dataset line or file is malformed. Permanent. */
  public static final int DATA_ERROR = 65;

  /** The model, dataset or output location does not exist or cannot be read. Permanent. */
  public static final int NO_INPUT = 66;

  /** The job spec is invalid. Permanent. */
  public static final int CONFIG_ERROR = 78;

  /** A peer was lost, the pod was preempted or interrupted: retry from the last checkpoint. */
  public static final int RETRYABLE = 75;

  /**
   * An input/output failure that may pass (a full disk, a flaky volume): retried like {@link
   * #RETRYABLE}.
   */
  public static final int IO_ERROR = 74;

  /** Exit codes for which retrying cannot help. */
  public static final List<Integer> PERMANENT = List.of(USAGE, DATA_ERROR, NO_INPUT, CONFIG_ERROR);

  private TrainerExitCodes() {}
}
