package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.PythonStr;

/** {@code {"text": "..."}} for incremental pre-training. */
final class TextParser implements RecordParser {
  @Override
  public Sample parse(JsonNode record) throws InvalidRecordException {
    Fields.requireObject(record);
    String text = Fields.requireString(record, "text", "text");
    if (PythonStr.strip(text).isEmpty()) {
      throw new InvalidRecordException("text: empty text");
    }
    return new Sample.Text(text);
  }
}
