package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * XTuner's own format: {@code {"conversation": [{"system": ..., "input": ..., "output": ...}]}}
 * (system optional, input may be empty). Each turn becomes [system], user, assistant messages,
 * which XTuner's openai_map_fn turns back into the same turns.
 */
final class XTunerParser implements RecordParser {
  @Override
  public Sample parse(JsonNode record) throws InvalidRecordException {
    Fields.requireObject(record);
    JsonNode turns = Fields.requireArray(record, "conversation");
    List<ChatMessage> out = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      String path = "conversation[" + i + "]";
      JsonNode t = turns.get(i);
      if (!t.isObject()) {
        throw new InvalidRecordException(path + " must be an object, got " + Fields.kind(t));
      }
      String system = Fields.optionalString(t, "system", path + ".system");
      if (!system.isEmpty()) {
        out.add(ChatMessage.system(system));
        paths.add(path + ".system");
      }
      out.add(ChatMessage.user(Fields.optionalString(t, "input", path + ".input")));
      paths.add(path + ".input");
      out.add(ChatMessage.assistant(Fields.requireString(t, "output", path + ".output")));
      paths.add(path + ".output");
    }
    return Fields.chat(out, "conversation", paths);
  }
}
