package io.kubetune.trainer.serve.http;

import io.kubetune.trainer.serve.openai.ApiError;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The served model once it is loaded, until the server drains: the API answers 503 before
 * (model_loading) and after (server_shutting_down).
 */
final class ModelSlot {
  private final AtomicReference<ServedModel> model = new AtomicReference<>();
  private final int retryAfterSeconds;
  private volatile boolean draining;

  /**
   * @param retryAfterSeconds the Retry-After of the 503 a draining server answers
   */
  ModelSlot(int retryAfterSeconds) {
    this.retryAfterSeconds = retryAfterSeconds;
  }

  void set(ServedModel served) {
    model.set(served);
  }

  Optional<ServedModel> get() {
    return Optional.ofNullable(model.get());
  }

  /** From now on new requests are refused; those in progress go on. */
  void drain() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  /** The model, or 503 model_loading (not loaded yet) or server_shutting_down (draining). */
  ServedModel require() {
    if (draining) {
      throw ApiError.shuttingDown(retryAfterSeconds);
    }
    ServedModel m = model.get();
    if (m == null) {
      throw ApiError.loading();
    }
    return m;
  }
}
