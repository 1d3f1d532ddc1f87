package io.kubetune.trainer.serve.openai;

import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.vision.RgbImage;
import java.util.List;

/**
 * A validated POST /v1/chat/completions body.
 *
 * @param images the decoded image_url parts, in the order of their placeholders in the messages
 */
public record ChatCompletionRequest(
    List<ChatMessage> messages, List<RgbImage> images, GenerationOptions options) {
  public ChatCompletionRequest {
    messages = List.copyOf(messages);
    images = List.copyOf(images);
  }
}
