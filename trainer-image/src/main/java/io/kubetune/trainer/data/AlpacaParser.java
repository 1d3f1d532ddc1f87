package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code {"instruction": ..., "input": ..., "output": ...}} (input optional). As XTuner's
 * alpaca_map_fn: the user turn is {@code instruction + "\n" + input}, also when input is empty, and
 * any other field, a {@code system} one included (LLaMA-Factory's alpaca files have one), is not
 * read: the chat has no system turn. Records that need a system prompt belong in the openai or
 * xtuner format. An output of {@code <nooutput>} has nothing to learn and is refused.
 */
final class AlpacaParser implements RecordParser {
  @Override
  public Sample parse(JsonNode record) throws InvalidRecordException {
    Fields.requireObject(record);
    String instruction = Fields.requireString(record, "instruction", "instruction");
    String input = Fields.optionalString(record, "input", "input");
    String output = Fields.requireString(record, "output", "output");
    if (output.equals("<nooutput>")) {
      throw new InvalidRecordException("output: empty output (<nooutput>)");
    }
    List<ChatMessage> messages = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    messages.add(ChatMessage.user(instruction + "\n" + input));
    paths.add("instruction");
    messages.add(ChatMessage.assistant(output));
    paths.add("output");
    return Fields.chat(messages, "output", paths);
  }
}
