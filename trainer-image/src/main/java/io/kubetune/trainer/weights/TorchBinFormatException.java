package io.kubetune.trainer.weights;

import java.io.IOException;

/**
 * A pytorch_model.bin that is malformed, in a format this runtime does not read, or that asks the
 * unpickler for something a state dict never needs (a pickle can carry code: it is refused).
 */
public class TorchBinFormatException extends IOException {
  public TorchBinFormatException(String message) {
    super(message);
  }
}
