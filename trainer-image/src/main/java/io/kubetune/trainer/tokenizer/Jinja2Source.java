package io.kubetune.trainer.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a Jinja2 template so that Jinjava reads it as Jinja2 would. Only what Jinjava parses
 * differently is touched:
 *
 * <ul>
 *   <li>Jinja2 drops one trailing newline of the source ({@code keep_trailing_newline=False}, as
 *       transformers compiles chat templates) and turns \r\n and \r into \n;
 *   <li>Jinja2 string literals take Python escapes ({@code '\n'}, {@code '\t'}, {@code '\u00e9'});
 *       Jinjava only unescapes quotes and backslashes, so the others are decoded here, inside the
 *       string literals of {@code {{ }}} and {@code {% %}} tags only;
 *   <li>lstrip_blocks and trim_blocks are applied here, with Jinja2's exact rules, and are off in
 *       Jinjava (whose lstrip also strips in the middle of a line);
 *   <li>Jinjava ignores the whitespace control of expressions ({@code {{-}} and {@code -}}}, which
 *       Qwen2.5's template uses on every line): the whitespace is stripped here;
 *   <li>an inner "}}" of nested dict literals is split so that Jinjava does not end the tag there;
 *   <li>Jinjava cannot parse a slice with a step; {@code name[::-1]} (Qwen2.5's templates) becomes
 *       {@code (name|reverse|list)}.
 * </ul>
 */
final class Jinja2Source {
  private static final Pattern REVERSED_SLICE =
      Pattern.compile(
          "([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)\\[\\s*:\\s*:\\s*-1\\s*\\]");

  private static final Pattern ENDRAW = Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%}");

  private Jinja2Source() {}

  static String toJinjava(String source) {
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int open = nextTagOpen(s, i);
      if (open < 0) {
        out.append(s, i, s.length());
        break;
      }
      char kind = s.charAt(open + 1);
      boolean trimBefore = kind == '{' && s.startsWith("{{-", open);
      String text = kind == '{' ? s.substring(i, open) : lstripBlock(s, i, open);
      out.append(trimBefore ? text.stripTrailing() : text);
      if (kind == '#') {
        int end = s.indexOf("#}", open + 2);
        end = end < 0 ? s.length() : end + 2;
        out.append(s, open, end);
        i = trimBlock(s, end);
        continue;
      }
      int end = tagEnd(s, open + 2, kind == '{' ? "}}" : "%}");
      String tag = s.substring(open, end);
      if (kind == '%' && isRawOpen(tag)) {
        // raw content is copied as is, but the raw tags trim like any block tag
        out.append(tag);
        int contentStart = trimBlock(s, end);
        Matcher endRaw = ENDRAW.matcher(s);
        if (!endRaw.find(contentStart)) {
          out.append(s, contentStart, s.length());
          break;
        }
        out.append(lstripBlock(s, contentStart, endRaw.start())).append(endRaw.group());
        i = trimBlock(s, endRaw.end());
        continue;
      }
      if (kind == '{') {
        // {{- and -}}: Jinjava keeps the whitespace around an expression, Jinja2 strips it
        boolean trimAfter = tag.endsWith("-}}") && tag.length() > (trimBefore ? 5 : 4);
        String code = tag.substring(trimBefore ? 3 : 2, tag.length() - (trimAfter ? 3 : 2));
        out.append("{{").append(rewriteCode(code)).append("}}");
        i = trimAfter ? skipWhitespace(s, end) : end;
        continue;
      }
      out.append(tag, 0, 2).append(rewriteCode(tag.substring(2, tag.length() - 2)));
      out.append(tag, tag.length() - 2, tag.length());
      i = trimBlock(s, end);
    }
    return out.toString();
  }

  private static int skipWhitespace(String s, int from) {
    int i = from;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /**
   * lstrip_blocks: the data before a block or comment tag loses its trailing spaces and tabs when
   * they are all that stands between the start of a line and the tag (Jinja2's lexer rule; Jinjava
   * also strips in the middle of a line, which changes output such as {@code {{ x }} {% endif %}}).
   */
  private static String lstripBlock(String s, int dataStart, int tagStart) {
    String data = s.substring(dataStart, tagStart);
    char control = tagStart + 2 < s.length() ? s.charAt(tagStart + 2) : ' ';
    if (control == '-' || control == '+') {
      return data; // '-' strips all whitespace itself; '+' keeps it
    }
    int lineStart = data.lastIndexOf('\n') + 1;
    boolean atLineStart = lineStart > 0 || dataStart == 0 || s.charAt(dataStart - 1) == '\n';
    if (atLineStart && data.substring(lineStart).chars().allMatch(c -> c == ' ' || c == '\t')) {
      return data.substring(0, lineStart);
    }
    return data;
  }

  /** trim_blocks: the first newline after a block or comment tag is dropped. */
  private static int trimBlock(String s, int afterTag) {
    return afterTag < s.length() && s.charAt(afterTag) == '\n' ? afterTag + 1 : afterTag;
  }

  private static int nextTagOpen(String s, int from) {
    for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
      char c = s.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The index after the closing delimiter, skipping string literals and balanced braces: in {@code
   * {{ {'a': {'b': 1}} }}} the first "}}" closes a dict, not the tag (Jinja2's lexer counts them).
   */
  private static int tagEnd(String s, int from, String close) {
    int depth = 0;
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        i = literalEnd(s, i);
        continue;
      }
      if (depth == 0 && s.startsWith(close, i)) {
        return i + close.length();
      }
      if (c == '{' || c == '[' || c == '(') {
        depth++;
      } else if ((c == '}' || c == ']' || c == ')') && depth > 0) {
        depth--;
      }
      i++;
    }
    return s.length();
  }

  /** The index after the closing quote of the literal that opens at {@code start}. */
  private static int literalEnd(String s, int start) {
    char q = s.charAt(start);
    int i = start + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == q) {
        return i + 1;
      } else {
        i++;
      }
    }
    return s.length();
  }

  private static boolean isRawOpen(String tag) {
    return tag.replaceAll("[{}%\\-+\\s]", "").equals("raw");
  }

  /** Rewrites the code between a tag's delimiters; string literals are only unescaped. */
  private static String rewriteCode(String code) {
    StringBuilder out = new StringBuilder(code.length());
    int i = 0;
    int codeStart = 0;
    while (i < code.length()) {
      char c = code.charAt(i);
      if (c == '\'' || c == '"') {
        out.append(rewritePlainCode(code.substring(codeStart, i)));
        int end = literalEnd(code, i);
        out.append(decodeEscapes(code.substring(i, end)));
        i = end;
        codeStart = i;
      } else {
        i++;
      }
    }
    out.append(rewritePlainCode(code.substring(codeStart)));
    return out.toString();
  }

  private static String rewritePlainCode(String code) {
    // Jinjava's scanner would end the tag at an inner "}}" (nested dict literals)
    String c = code.replace("}}", "} }");
    return REVERSED_SLICE.matcher(c).replaceAll("($1|reverse|list)");
  }

  /**
   * Decodes Python escapes in a quoted literal, keeping \\, \' and \" escaped (Jinjava reads those
   * itself). Unknown escapes stay as they are, as in Python.
   */
  static String decodeEscapes(String literal) {
    StringBuilder out = new StringBuilder(literal.length());
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      if (c != '\\' || i + 1 >= literal.length()) {
        out.append(c);
        continue;
      }
      char n = literal.charAt(i + 1);
      switch (n) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'f' -> out.append('\f');
        case 'b' -> out.append('\b');
        case 'a' -> out.append('\u0007');
        case 'v' -> out.append('\u000b');
        case '0' -> out.append('\0');
        case 'x', 'u', 'U' -> {
          int len = n == 'x' ? 2 : n == 'u' ? 4 : 8;
          if (i + 2 + len <= literal.length()
              && literal.substring(i + 2, i + 2 + len).matches("[0-9a-fA-F]+")) {
            int cp = Integer.parseInt(literal.substring(i + 2, i + 2 + len), 16);
            String text = new String(Character.toChars(cp));
            // a decoded quote or backslash must stay escaped for Jinjava
            out.append(
                text.equals("\\") || text.equals("'") || text.equals("\"") ? "\\" + text : text);
            i += len;
          } else {
            out.append(c).append(n);
          }
        }
        default -> out.append(c).append(n); // \\ \' \" and unknown escapes
      }
      i++;
    }
    return out.toString();
  }
}
