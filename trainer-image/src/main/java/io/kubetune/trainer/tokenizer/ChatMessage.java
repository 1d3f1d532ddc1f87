package io.kubetune.trainer.tokenizer;

import java.util.Objects;

/**
 * One message of a chat, in the OpenAI / HuggingFace form that chat templates read.
 *
 * @param role system, user or assistant (templates may know more roles; they are passed through)
 * @param content the message text
 */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
