package io.kubetune.trainer.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A chat as XTuner's openai_map_fn splits it into turns (xtuner 0.2.0,
 * dataset/map_fns/dataset_map_fns/openai_map_fn.py): one turn per assistant message; a system
 * message applies to the next turn only; consecutive user messages are concatenated; assistant
 * messages before any system or user message are skipped. What follows the last assistant message
 * is kept apart as the pending prompt (XTuner drops it; a server renders it as the prompt).
 *
 * @param turns the complete turns
 * @param pendingSystem the system text after the last reply ("" for none)
 * @param pendingInput the user text after the last reply ("" for none)
 * @param hasPendingUser whether a user message follows the last reply
 */
public record XTunerConversation(
    List<Turn> turns, String pendingSystem, String pendingInput, boolean hasPendingUser) {

  /**
   * One turn: the system text ("" for none), the user input and the assistant's output.
   *
   * @param outputMessage the index of the output's message in the chat
   */
  public record Turn(String system, String input, String output, int outputMessage) {}

  public XTunerConversation {
    turns = List.copyOf(turns);
  }

  /**
   * @throws IllegalArgumentException for a role other than system, user and assistant
   */
  public static XTunerConversation of(List<ChatMessage> messages) {
    List<Turn> turns = new ArrayList<>();
    String system = "";
    StringBuilder input = new StringBuilder();
    boolean started = false;
    boolean pendingUser = false;
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      switch (m.role()) {
        case "system" -> {
          system = m.content();
          started = true;
        }
        case "user" -> {
          input.append(m.content());
          pendingUser = true;
          started = true;
        }
        case "assistant" -> {
          if (started) {
            turns.add(new Turn(system, input.toString(), m.content(), i));
            system = "";
            input.setLength(0);
            pendingUser = false;
          }
        }
        default ->
            throw new IllegalArgumentException(
                "XTuner templates support the roles system, user and assistant, got '"
                    + m.role()
                    + "'");
      }
    }
    return new XTunerConversation(turns, system, input.toString(), pendingUser);
  }
}
