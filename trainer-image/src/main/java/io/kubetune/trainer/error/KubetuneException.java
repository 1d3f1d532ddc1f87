package io.kubetune.trainer.error;

/**
 * A failure with a message for the user and the exit code it maps to (one of {@link
 * io.kubetune.api.TrainerExitCodes}). Any layer may throw it; only the CLI turns it into an exit.
 */
public class KubetuneException extends RuntimeException {
  private final int exitCode;

  public KubetuneException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public KubetuneException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
