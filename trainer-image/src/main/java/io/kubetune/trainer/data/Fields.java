package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.ChatMessage;
import java.util.List;
import java.util.Set;

/** Field checks shared by the record parsers; each failure names the field path. */
final class Fields {
  private Fields() {}

  static void requireObject(JsonNode record) throws InvalidRecordException {
    if (!record.isObject()) {
      throw new InvalidRecordException("a record must be a JSON object, got " + kind(record));
    }
  }

  static JsonNode requireArray(JsonNode parent, String field) throws InvalidRecordException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      throw new InvalidRecordException("missing field '" + field + "'");
    }
    if (!n.isArray()) {
      throw new InvalidRecordException(field + " must be an array, got " + kind(n));
    }
    if (n.isEmpty()) {
      throw new InvalidRecordException(field + " is empty");
    }
    return n;
  }

  /** A required string field. */
  static String requireString(JsonNode parent, String field, String path)
      throws InvalidRecordException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      throw new InvalidRecordException("missing field '" + path + "'");
    }
    return string(n, path);
  }

  /** An optional string field ("" when absent or null). */
  static String optionalString(JsonNode parent, String field, String path)
      throws InvalidRecordException {
    JsonNode n = parent.get(field);
    return n == null || n.isNull() ? "" : string(n, path);
  }

  /**
   * A string, or OpenAI's content parts [{"type": "text", "text": ...}] joined (other part types,
   * e.g. images, are refused: the trainer is text-only).
   */
  static String string(JsonNode n, String path) throws InvalidRecordException {
    if (n.isTextual()) {
      return n.asText();
    }
    if (n.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < n.size(); i++) {
        JsonNode part = n.get(i);
        if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
          throw new InvalidRecordException(
              path + "[" + i + "] must be a text part {\"type\": \"text\", \"text\": ...}");
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw new InvalidRecordException(path + " must be a string, got " + kind(n));
  }

  /** The checks every chat shares, whatever its source format. */
  static Sample.Chat chat(List<ChatMessage> messages, String path, List<String> contentPaths)
      throws InvalidRecordException {
    return chat(messages, Set.of(), path, contentPaths);
  }

  /** A chat whose assistant messages at the untrained indices are left out of the loss. */
  static Sample.Chat chat(
      List<ChatMessage> messages, Set<Integer> untrained, String path, List<String> contentPaths)
      throws InvalidRecordException {
    boolean assistant = false;
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      if (m.role().equals("assistant")) {
        assistant = true;
        if (m.content().isBlank()) {
          throw new InvalidRecordException(contentPaths.get(i) + ": empty output");
        }
      }
    }
    if (!assistant) {
      throw new InvalidRecordException(path + ": assistant turn missing");
    }
    return new Sample.Chat(messages, untrained);
  }

  /**
   * A loss flag as XTuner's openai_map_fn reads one ({@code str(value).lower() == "true"}), but
   * strict: a boolean, or the strings "true" / "false" in any case; anything else is refused rather
   * than read as false. Absent: true.
   */
  static boolean optionalFlag(JsonNode parent, String field, String path)
      throws InvalidRecordException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return true;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isTextual()
        && (n.asText().equalsIgnoreCase("true") || n.asText().equalsIgnoreCase("false"))) {
      return n.asText().equalsIgnoreCase("true");
    }
    throw new InvalidRecordException(path + " must be true or false, got " + n);
  }

  static String kind(JsonNode n) {
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isNumber()) {
      return "a number";
    }
    if (n.isBoolean()) {
      return "a boolean";
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isObject()) {
      return "an object";
    }
    return "null";
  }
}
