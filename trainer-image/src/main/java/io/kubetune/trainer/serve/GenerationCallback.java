package io.kubetune.trainer.serve;

import io.kubetune.trainer.generate.Generation;

/**
 * Receives a reply from the batch engine's thread; implementations must return quickly (hand the
 * text to the connection's writer, don't block on the network for long).
 */
public interface GenerationCallback {
  /** Text that became final (may be empty when a token completed nothing visible yet). */
  void onText(String text);

  /** The reply is complete. */
  void onFinish(Generation generation);

  /** The reply failed; no more calls follow. */
  void onError(Throwable error);
}
