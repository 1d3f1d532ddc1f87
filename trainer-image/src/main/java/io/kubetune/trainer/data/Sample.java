package io.kubetune.trainer.data;

import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.List;
import java.util.Set;

/**
 * One training record in kubetune's standard form, whatever file format it came from: a chat
 * (instruction tuning) or a raw text (incremental pre-training).
 */
public sealed interface Sample {

  /**
   * A conversation with at least one non-empty assistant message; roles system/user/assistant.
   *
   * @param untrained the indices of assistant messages left out of the loss (an OpenAI record's
   *     {@code "loss": false}): they are context, like the user's turns
   */
  record Chat(List<ChatMessage> messages, Set<Integer> untrained) implements Sample {
    public Chat {
      messages = List.copyOf(messages);
      untrained = Set.copyOf(untrained);
    }

    /** Every assistant message trained. */
    public Chat(List<ChatMessage> messages) {
      this(messages, Set.of());
    }

    /** Whether messages[index] is in the loss (only assistant messages can be). */
    public boolean trained(int index) {
      return messages.get(index).role().equals("assistant") && !untrained.contains(index);
    }
  }

  /** A raw text for incremental pre-training: every token is a target. */
  record Text(String text) implements Sample {}

  /**
   * A chat about images (LLaVA): each {@code <image>} in the user turns stands for the image of the
   * same rank in images (paths as the record gives them).
   */
  record WithImages(Chat chat, List<String> images) implements Sample {
    public WithImages {
      images = List.copyOf(images);
    }
  }
}
