package io.kubetune.trainer.peft;

import java.io.IOException;

/** A PEFT adapter folder that cannot be read, or that this runtime does not apply. */
public class AdapterFormatException extends IOException {
  public AdapterFormatException(String message) {
    super(message);
  }
}
