package io.kubetune.trainer.torch;

/** A libtorch call through the stable C interface failed. */
public class TorchException extends RuntimeException {
  public TorchException(String message) {
    super(message);
  }
}
