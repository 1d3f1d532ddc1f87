package io.kubetune.trainer.data;

import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.List;

/**
 * One training record in kubetune's standard form, whatever file format it came from: a chat
 * (instruction tuning) or a raw text (incremental pre-training).
 */
public sealed interface Sample {

  /** A conversation with at least one non-empty assistant message; roles system/user/assistant. */
  record Chat(List<ChatMessage> messages) implements Sample {
    public Chat {
      messages = List.copyOf(messages);
    }
  }

  /** A raw text for incremental pre-training: every token is a target. */
  record Text(String text) implements Sample {}
}
