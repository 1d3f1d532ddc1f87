package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}}. An
 * assistant message may say {@code "loss": false} to be context rather than a target, as XTuner's
 * openai_map_fn reads it (e.g. an earlier reply the model should not imitate); {@code "loss": true}
 * on another role is refused, since only replies are trained.
 */
final class OpenAiParser implements RecordParser {
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  @Override
  public Sample parse(JsonNode record) throws InvalidRecordException {
    Fields.requireObject(record);
    JsonNode messages = Fields.requireArray(record, "messages");
    List<ChatMessage> out = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    Set<Integer> untrained = new HashSet<>();
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
      boolean loss = Fields.optionalFlag(m, "loss", path + ".loss");
      if (role.equals("assistant") && !loss) {
        untrained.add(i);
      } else if (!role.equals("assistant") && m.has("loss") && loss) {
        throw new InvalidRecordException(
            path + ".loss: only assistant messages are trained, this one is " + role);
      }
      out.add(new ChatMessage(role, Fields.requireString(m, "content", path + ".content")));
      paths.add(path + ".content");
    }
    return Fields.chat(out, untrained, "messages", paths);
  }
}
