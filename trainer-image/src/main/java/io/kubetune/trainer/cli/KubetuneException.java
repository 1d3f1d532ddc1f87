package io.kubetune.trainer.cli;

/** A failure with a message for the user and the exit code it maps to. */
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
