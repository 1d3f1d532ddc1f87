package io.kubetune.trainer.dist;

/** The native collective layer is not installed where the trainer looks for it. */
public final class C10dUnavailableException extends RuntimeException {
  public C10dUnavailableException(String message) {
    super(message);
  }
}
