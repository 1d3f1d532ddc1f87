package io.kubetune.trainer.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Python's {@code str.format} for the named fields XTuner's templates use. */
final class PythonFormat {
  private PythonFormat() {}

  /** Literal text ({@code field == null}) or a named field. */
  record Piece(String text, String field) {}

  static List<Piece> parse(String format, Set<String> allowed) {
    List<Piece> pieces = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if ((c == '{' || c == '}') && i + 1 < format.length() && format.charAt(i + 1) == c) {
        text.append(c); // {{ and }} are literal braces
        i++;
      } else if (c == '{') {
        int end = format.indexOf('}', i);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed '{' in " + format);
        }
        String field = format.substring(i + 1, end);
        if (!allowed.contains(field)) {
          throw new IllegalArgumentException(
              "unknown field {" + field + "} in " + format + "; allowed: " + allowed);
        }
        if (!text.isEmpty()) {
          pieces.add(new Piece(text.toString(), null));
          text.setLength(0);
        }
        pieces.add(new Piece(null, field));
        i = end;
      } else if (c == '}') {
        throw new IllegalArgumentException("single '}' in " + format);
      } else {
        text.append(c);
      }
    }
    if (!text.isEmpty()) {
      pieces.add(new Piece(text.toString(), null));
    }
    return pieces;
  }

  static String format(String format, Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    for (Piece p : parse(format, values.keySet())) {
      out.append(p.field() == null ? p.text() : values.get(p.field()));
    }
    return out.toString();
  }
}
