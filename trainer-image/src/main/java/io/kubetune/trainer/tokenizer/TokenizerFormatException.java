package io.kubetune.trainer.tokenizer;

import java.io.IOException;

/** A tokenizer file that cannot be read or is of a kind this runtime does not convert. */
public class TokenizerFormatException extends IOException {
  public TokenizerFormatException(String message) {
    super(message);
  }
}
