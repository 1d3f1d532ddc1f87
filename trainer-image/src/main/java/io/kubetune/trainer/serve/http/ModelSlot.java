package io.kubetune.trainer.serve.http;

import io.kubetune.trainer.serve.openai.ApiError;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The served model once it is loaded; the server answers 503 before. */
final class ModelSlot {
  private final AtomicReference<ServedModel> model = new AtomicReference<>();

  void set(ServedModel served) {
    model.set(served);
  }

  Optional<ServedModel> get() {
    return Optional.ofNullable(model.get());
  }

  /** The model, or 503 model_loading. */
  ServedModel require() {
    ServedModel m = model.get();
    if (m == null) {
      throw ApiError.loading();
    }
    return m;
  }
}
