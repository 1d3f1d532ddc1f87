package io.kubetune.trainer.serve.openai;

import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.List;

/** A validated POST /v1/chat/completions body. */
public record ChatCompletionRequest(List<ChatMessage> messages, GenerationOptions options) {
  public ChatCompletionRequest {
    messages = List.copyOf(messages);
  }
}
