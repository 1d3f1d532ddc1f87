package io.kubetune.trainer.data;

/**
 * A dataset record that cannot be used, with the reason (e.g. {@code messages[1].role must be one
 * of system, user, assistant, got 'bot'}); whoever knows the file adds file and line.
 */
public class InvalidRecordException extends Exception {
  private final int line;

  public InvalidRecordException(String reason) {
    this(0, reason);
  }

  /** With the line it was found on, when the parser knows it better than the caller. */
  public InvalidRecordException(int line, String reason) {
    super(reason);
    this.line = line;
  }

  public String reason() {
    return getMessage();
  }

  /** The line, or 0 when the caller's line applies. */
  public int line() {
    return line;
  }
}
