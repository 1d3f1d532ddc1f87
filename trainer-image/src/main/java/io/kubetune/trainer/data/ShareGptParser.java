package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code {"conversations": [{"from": "human"|"gpt"|"system", "value": ...}], "system": ...}};
 * {@code user} and {@code assistant} are accepted for from too, and a top-level system (as
 * LLaMA-Factory's sharegpt format allows) opens the chat.
 */
final class ShareGptParser implements RecordParser {
  private static final Map<String, String> ROLES =
      Map.of(
          "human", "user",
          "user", "user",
          "gpt", "assistant",
          "assistant", "assistant",
          "system", "system");

  @Override
  public Sample parse(JsonNode record) throws InvalidRecordException {
    Fields.requireObject(record);
    JsonNode turns = Fields.requireArray(record, "conversations");
    List<ChatMessage> out = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    String system = Fields.optionalString(record, "system", "system");
    if (!system.isEmpty()) {
      out.add(ChatMessage.system(system));
      paths.add("system");
    }
    for (int i = 0; i < turns.size(); i++) {
      String path = "conversations[" + i + "]";
      JsonNode t = turns.get(i);
      if (!t.isObject()) {
        throw new InvalidRecordException(path + " must be an object, got " + Fields.kind(t));
      }
      String from = Fields.requireString(t, "from", path + ".from");
      String role = ROLES.get(from);
      if (role == null) {
        throw new InvalidRecordException(
            path
                + ".from must be one of human, gpt, system (or user, assistant), got '"
                + from
                + "'");
      }
      out.add(new ChatMessage(role, Fields.requireString(t, "value", path + ".value")));
      paths.add(path + ".value");
    }
    return Fields.chat(out, "conversations", paths);
  }
}
