package io.kubetune.trainer.serve.openai;

import java.util.List;

/** A non-streaming reply of POST /v1/chat/completions ({@code object: chat.completion}). */
public record ChatCompletion(
    String id, String object, long created, String model, List<Choice> choices, Usage usage) {

  public static ChatCompletion of(
      String id, long created, String model, String text, String finishReason, Usage usage) {
    return new ChatCompletion(
        id,
        "chat.completion",
        created,
        model,
        List.of(new Choice(0, new Message("assistant", text), null, finishReason)),
        usage);
  }

  public record Choice(int index, Message message, Object logprobs, String finishReason) {}

  public record Message(String role, String content) {}
}
