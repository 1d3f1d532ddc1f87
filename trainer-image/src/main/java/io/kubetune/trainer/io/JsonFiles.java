package io.kubetune.trainer.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** JSON files of a model folder, read with errors that name the file and the position. */
public final class JsonFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonFiles() {}

  /** A file that is not valid JSON; the message is {@code file:line:column: invalid JSON: why}. */
  public static final class InvalidJsonException extends IOException {
    InvalidJsonException(String message) {
      super(message);
    }
  }

  public static JsonNode read(Path file) throws IOException {
    try {
      return JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
      throw new InvalidJsonException(file + where + ": invalid JSON: " + e.getOriginalMessage());
    }
  }
}
