package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}} */
final class OpenAiParser implements RecordParser {
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  @Override
  public Sample parse(JsonNode record) throws InvalidRecordException {
    Fields.requireObject(record);
    JsonNode messages = Fields.requireArray(record, "messages");
    List<ChatMessage> out = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String path = "messages[" + i + "]";
      JsonNode m = messages.get(i);
      if (!m.isObject()) {
        throw new InvalidRecordException(path + " must be an object, got " + Fields.kind(m));
      }
      String role = Fields.requireString(m, "role", path + ".role");
      if (!ROLES.contains(role)) {
        throw new InvalidRecordException(
            path + ".role must be one of system, user, assistant, got '" + role + "'");
      }
      out.add(new ChatMessage(role, Fields.requireString(m, "content", path + ".content")));
      paths.add(path + ".content");
    }
    return Fields.chat(out, "messages", paths);
  }
}
