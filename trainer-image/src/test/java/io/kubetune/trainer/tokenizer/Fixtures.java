package io.kubetune.trainer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Paths and readers for the committed reference fixtures (src/test/resources/fixtures). */
public final class Fixtures {
  private Fixtures() {}

  public static Path root() {
    try {
      return Path.of(Fixtures.class.getResource("/fixtures/README.md").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path model(String name) {
    return root().resolve("models").resolve(name);
  }

  public static JsonNode templates() {
    try {
      return new ObjectMapper().readTree(root().resolve("data/templates.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<ChatMessage> messages(JsonNode messages) {
    List<ChatMessage> out = new ArrayList<>();
    for (JsonNode m : messages) {
      out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
    }
    return out;
  }

  public static List<ChatMessage> conversation(JsonNode templates, String name) {
    for (JsonNode c : templates.get("conversations")) {
      if (c.get("name").asText().equals(name)) {
        return messages(c.get("messages"));
      }
    }
    throw new IllegalArgumentException(name);
  }

  public static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
