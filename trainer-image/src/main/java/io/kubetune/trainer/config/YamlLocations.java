package io.kubetune.trainer.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Line and column of every key and value of a YAML document, by JSON pointer ("/training/epochs"),
 * so that problems found on the parsed tree can point into the file. Jackson's tree has no
 * locations; a second, streaming pass over the (small) text records them.
 */
final class YamlLocations {
  /** 1-based line and column. */
  record Location(int line, int column) {
    @Override
    public String toString() {
      return line + ":" + column;
    }
  }

  private final Map<String, Location> keys;
  private final Map<String, Location> values;

  private YamlLocations(Map<String, Location> keys, Map<String, Location> values) {
    this.keys = keys;
    this.values = values;
  }

  static YamlLocations of(String yaml) throws IOException {
    Map<String, Location> keys = new HashMap<>();
    Map<String, Location> values = new HashMap<>();
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        String pointer = p.getParsingContext().pathAsPointer().toString();
        Location at = location(p.currentTokenLocation());
        if (t == JsonToken.FIELD_NAME) {
          keys.putIfAbsent(pointer, at);
        } else if (t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
          values.putIfAbsent(pointer, at);
        }
      }
    }
    return new YamlLocations(keys, values);
  }

  private static Location location(JsonLocation l) {
    return new Location(l.getLineNr(), l.getColumnNr());
  }

  /** Where the key of {@code pointer} is written. */
  Optional<Location> key(String pointer) {
    return Optional.ofNullable(keys.get(pointer));
  }

  /** Where the value of {@code pointer} starts (falls back to its key). */
  Optional<Location> value(String pointer) {
    Location v = values.get(pointer);
    return v != null ? Optional.of(v) : key(pointer);
  }
}
