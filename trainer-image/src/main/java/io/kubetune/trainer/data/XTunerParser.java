package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * XTuner's own format: {@code {"conversation": [{"system": ..., "input": ..., "output": ...}]}}
 * (system optional, input may be empty; {@code output_with_loss: false} leaves a turn's output out
 * of the loss, as XTuner's encode_fn does). Each turn becomes [system], user, assistant messages,
 * which XTuner's openai_map_fn turns back into the same turns.
 */
final class XTunerParser implements RecordParser {
  @Override
  public Sample parse(JsonNode record) throws InvalidRecordException {
    Fields.requireObject(record);
    JsonNode turns = Fields.requireArray(record, "conversation");
    List<ChatMessage> out = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    Set<Integer> untrained = new HashSet<>();
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
      if (!Fields.optionalFlag(t, "output_with_loss", path + ".output_with_loss")) {
        untrained.add(out.size());
      }
      out.add(ChatMessage.assistant(Fields.requireString(t, "output", path + ".output")));
      paths.add(path + ".output");
    }
    return Fields.chat(out, untrained, "conversation", paths);
  }
}
