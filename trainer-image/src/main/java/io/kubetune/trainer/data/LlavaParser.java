package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.vision.ImageTokens;
import java.util.ArrayList;
import java.util.List;

/**
 * LLaVA's JSON format: {@code {"id": ..., "image": "path" (or a list of paths), "conversations":
 * [{"from": "human", "value": "<image>\n..."}, {"from": "gpt", "value": ...}, ...]}}. As XTuner's
 * llava_map_fn: leading gpt turns are dropped, and with one image its {@code <image>} is moved to
 * the start of its human turn followed by a newline. A record without "image" is a text-only chat.
 * Each image needs exactly one {@code <image>} in the human turns, and the other way round.
 */
final class LlavaParser implements RecordParser {
  @Override
  public Sample parse(JsonNode record) throws InvalidRecordException {
    Fields.requireObject(record);
    List<String> images = images(record);
    JsonNode turns = Fields.requireArray(record, "conversations");
    List<ChatMessage> out = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    int placeholders = 0;
    boolean started = false;
    for (int i = 0; i < turns.size(); i++) {
      String path = "conversations[" + i + "]";
      JsonNode t = turns.get(i);
      if (!t.isObject()) {
        throw new InvalidRecordException(path + " must be an object, got " + Fields.kind(t));
      }
      String from = Fields.requireString(t, "from", path + ".from");
      String value = Fields.requireString(t, "value", path + ".value");
      if (from.equals("gpt") && !started) {
        continue; // llava_map_fn skips a conversation's leading gpt turns
      }
      started = true;
      switch (from) {
        case "human" -> {
          int here = occurrences(value);
          placeholders += here;
          if (here > 0 && images.size() == 1) {
            value = ImageTokens.TEXT + "\n" + value.replace(ImageTokens.TEXT, "").strip();
          }
          out.add(ChatMessage.user(value));
        }
        case "gpt" -> {
          if (occurrences(value) > 0) {
            throw new InvalidRecordException(path + ".value: <image> in a gpt turn");
          }
          out.add(ChatMessage.assistant(value));
        }
        default ->
            throw new InvalidRecordException(
                path + ".from must be human or gpt (LLaVA's roles), got '" + from + "'");
      }
      paths.add(path + ".value");
    }
    if (images.size() == 1 && placeholders > 1) {
      throw new InvalidRecordException(
          "conversations: " + placeholders + " <image> placeholders for one image");
    }
    if (placeholders != images.size() && !(images.size() == 1 && placeholders == 1)) {
      throw new InvalidRecordException(
          "conversations: "
              + placeholders
              + " <image> placeholders in the human turns, but the record names "
              + images.size()
              + (images.size() == 1 ? " image" : " images"));
    }
    Sample.Chat chat = Fields.chat(out, "conversations", paths);
    return images.isEmpty() ? chat : new Sample.WithImages(chat, images);
  }

  private static List<String> images(JsonNode record) throws InvalidRecordException {
    JsonNode image = record.get("image");
    List<String> out = new ArrayList<>();
    if (image == null || image.isNull()) {
      return out;
    }
    if (image.isTextual()) {
      out.add(nonEmpty(image.asText(), "image"));
    } else if (image.isArray()) {
      for (int i = 0; i < image.size(); i++) {
        if (!image.get(i).isTextual()) {
          throw new InvalidRecordException(
              "image[" + i + "] must be a string, got " + Fields.kind(image.get(i)));
        }
        out.add(nonEmpty(image.get(i).asText(), "image[" + i + "]"));
      }
    } else {
      throw new InvalidRecordException(
          "image must be a path or a list of paths, got " + Fields.kind(image));
    }
    return out;
  }

  private static String nonEmpty(String s, String path) throws InvalidRecordException {
    if (s.isBlank()) {
      throw new InvalidRecordException(path + " is empty");
    }
    return s;
  }

  private static int occurrences(String text) {
    int n = 0;
    for (int i = text.indexOf(ImageTokens.TEXT);
        i >= 0;
        i = text.indexOf(ImageTokens.TEXT, i + 1)) {
      n++;
    }
    return n;
  }
}
