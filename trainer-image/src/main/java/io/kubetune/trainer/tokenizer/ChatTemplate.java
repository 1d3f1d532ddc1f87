package io.kubetune.trainer.tokenizer;

import java.util.List;

/** Turns a conversation into the prompt text a model was (or is being) trained on. */
public interface ChatTemplate {
  /**
   * Renders {@code messages}; with {@code addGenerationPrompt} the text ends with the header that
   * opens the assistant's reply, which is what a server sends to the model to get an answer.
   *
   * @throws ChatTemplateException when the template refuses the conversation or fails
   */
  String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
