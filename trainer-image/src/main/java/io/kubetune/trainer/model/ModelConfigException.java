package io.kubetune.trainer.model;

import java.io.IOException;

/** A config.json this runtime refuses: malformed, or a model or key it does not support. */
public class ModelConfigException extends IOException {
  public ModelConfigException(String message) {
    super(message);
  }
}
