package io.kubetune.trainer.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.PushbackReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams the records of a dataset file, one at a time, with the line each starts on. The layout is
 * sniffed from the first non-blank character, not the file name: {@code [} is a JSON array of
 * records, anything else is JSON Lines (one record per line, blank lines ignored).
 *
 * <p>A JSON Lines line that is not valid JSON is reported as a bad {@link Item} and reading goes on
 * with the next line; in a JSON array there is no next record to resync on, so invalid JSON there
 * throws {@link InvalidRecordException} carrying the line.
 */
final class RecordReader implements Closeable {
  /** A record (node != null) or a line that could not be read as JSON (error != null). */
  record Item(int line, JsonNode node, String error) {}

  /** For JSON Lines: a line holding a record and then more text is malformed. */
  private static final ObjectMapper LINE_JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** For arrays: the parser reads one element at a time, the rest of the file follows. */
  private static final ObjectMapper ARRAY_JSON = new ObjectMapper();

  private final BufferedReader lines;
  private final JsonParser array;
  private int lineNumber;

  private RecordReader(BufferedReader lines, JsonParser array) {
    this.lines = lines;
    this.array = array;
  }

  static RecordReader open(Path file) throws IOException, InvalidRecordException {
    BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    PushbackReader peek = new PushbackReader(reader, 1);
    int c;
    do {
      c = peek.read();
    } while (c == '\uFEFF' || (c >= 0 && Character.isWhitespace(c)));
    if (c >= 0) {
      peek.unread(c);
    }
    if (c == '[') {
      JsonParser p = ARRAY_JSON.getFactory().createParser(peek);
      try {
        p.nextToken(); // START_ARRAY
      } catch (JsonProcessingException e) {
        throw new InvalidRecordException(lineOf(e), invalidJson(e));
      }
      return new RecordReader(null, p);
    }
    reader.close();
    // re-open so that line numbers count from the start, BOM and blank lines included
    return new RecordReader(Files.newBufferedReader(file, StandardCharsets.UTF_8), null);
  }

  /** The next record, or null at the end of the file. */
  Item next() throws IOException, InvalidRecordException {
    return array != null ? nextInArray() : nextLine();
  }

  private Item nextLine() throws IOException {
    String line;
    do {
      line = lines.readLine();
      if (line == null) {
        return null;
      }
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
    } while (line.isBlank());
    try {
      return new Item(lineNumber, LINE_JSON.readTree(line), null);
    } catch (JsonProcessingException e) {
      return new Item(lineNumber, null, invalidJson(e));
    }
  }

  private Item nextInArray() throws IOException, InvalidRecordException {
    try {
      JsonToken t = array.nextToken();
      if (t == null || t == JsonToken.END_ARRAY) {
        return null;
      }
      int line = array.currentTokenLocation().getLineNr();
      return new Item(line, ARRAY_JSON.readTree(array), null);
    } catch (JsonProcessingException e) {
      throw new InvalidRecordException(lineOf(e), invalidJson(e));
    }
  }

  /**
   * "invalid JSON: what (column N)", without Jackson's "[Source: REDACTED ...]" noise; a start
   * marker keeps only its column.
   */
  static String invalidJson(JsonProcessingException e) {
    String what =
        e.getOriginalMessage()
            .replaceAll("\\[Source: [^\\]]*?line: \\d+, column: (\\d+)\\]", "column $1")
            .replaceAll(" \\(bound as .*", "");
    String column =
        e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
    return "invalid JSON: " + what + column;
  }

  private static int lineOf(JsonProcessingException e) {
    return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
  }

  @Override
  public void close() throws IOException {
    if (lines != null) {
      lines.close();
    }
    if (array != null) {
      array.close();
    }
  }
}
