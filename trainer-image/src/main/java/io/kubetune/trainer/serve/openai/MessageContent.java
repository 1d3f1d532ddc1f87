package io.kubetune.trainer.serve.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.vision.ImageTokens;
import io.kubetune.trainer.vision.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A message's content: a string, or a list of parts: {@code {"type": "text", "text": ...}} (joined
 * as they come) and {@code {"type": "image_url", "image_url": {"url":
 * "data:image/...;base64,..."}}}. Each image part becomes an {@code <image>} placeholder and a
 * newline where it stands, as llava-hf's chat templates render an image part, and its picture is
 * decoded here so that a bad one is refused with its field before anything is queued.
 */
record MessageContent(String text, List<RgbImage> images) {
  MessageContent {
    images = List.copyOf(images);
  }

  static MessageContent parse(JsonNode content, String param) {
    if (content == null || content.isNull()) {
      throw ApiError.invalid(param + " is missing: every message needs content.", param);
    }
    if (content.isTextual()) {
      return new MessageContent(content.asText(), List.of());
    }
    if (!content.isArray()) {
      throw ApiError.invalid(
          param + " must be a string or a list of text and image_url parts.", param);
    }
    StringBuilder text = new StringBuilder();
    List<RgbImage> images = new ArrayList<>();
    for (int i = 0; i < content.size(); i++) {
      JsonNode part = content.get(i);
      String where = param + "[" + i + "]";
      String type = part.path("type").asText();
      if (type.equals("text") && part.path("text").isTextual()) {
        text.append(part.get("text").asText());
      } else if (type.equals("image_url")) {
        images.add(DataUrlImage.decode(url(part, where), where + ".image_url.url"));
        text.append(ImageTokens.TEXT).append('\n');
      } else {
        throw ApiError.invalid(
            where
                + " must be {\"type\": \"text\", \"text\": ...} or {\"type\": \"image_url\","
                + " \"image_url\": {\"url\": ...}}.",
            where);
      }
    }
    return new MessageContent(text.toString(), images);
  }

  /** The part's image_url.url (OpenAI's shape; a bare string in image_url is read too). */
  private static String url(JsonNode part, String where) {
    JsonNode imageUrl = part.get("image_url");
    if (imageUrl != null && imageUrl.isTextual()) {
      return imageUrl.asText();
    }
    JsonNode url = imageUrl == null ? null : imageUrl.get("url");
    if (url == null || !url.isTextual()) {
      throw ApiError.invalid(
          where
              + ".image_url.url is missing: an image_url part is {\"type\": \"image_url\","
              + " \"image_url\": {\"url\": \"data:image/png;base64,...\"}}.",
          where + ".image_url.url");
    }
    return url.asText();
  }
}
