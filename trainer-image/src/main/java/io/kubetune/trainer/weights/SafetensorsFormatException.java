package io.kubetune.trainer.weights;

import java.io.IOException;

/** A safetensors file or index that is truncated, malformed or not what the model expects. */
public class SafetensorsFormatException extends IOException {
  public SafetensorsFormatException(String message) {
    super(message);
  }
}
