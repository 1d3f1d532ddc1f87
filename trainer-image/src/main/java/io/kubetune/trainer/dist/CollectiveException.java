package io.kubetune.trainer.dist;

/**
 * A collective operation or the rendezvous failed: a peer was lost, hung past the timeout, or never
 * joined. Retryable: the job restarts every rank from the newest complete checkpoint.
 */
public class CollectiveException extends RuntimeException {
  public CollectiveException(String message) {
    super(message);
  }

  public CollectiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
