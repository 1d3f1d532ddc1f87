package io.kubetune.trainer.tokenizer;

/** A chat template could not be compiled or refused to render a conversation. */
public class ChatTemplateException extends RuntimeException {
  public ChatTemplateException(String message) {
    super(message);
  }

  public ChatTemplateException(String message, Throwable cause) {
    super(message, cause);
  }
}
