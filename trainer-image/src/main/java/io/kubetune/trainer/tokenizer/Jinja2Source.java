package io.kubetune.trainer.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a Jinja2 template so that Jinjava reads it as Jinja2 would, with transformers' settings.
 * The tags are found here as Jinja2's lexer finds them, and all whitespace handling is done here,
 * with Jinja2's exact rules, so that Jinjava's own (which differ) never runs:
 *
 * <ul>
 *   <li>one trailing newline of the source is dropped ({@code keep_trailing_newline=False}), and
 *       \r\n and \r become \n;
 *   <li>whitespace control: a {@code -} after a tag's opening delimiter ({@code {{-}, {@code {%-},
 *       {@code {#-}) strips the whitespace before the tag, one before its closing delimiter ({@code
 *       -}}}, {@code -%}}, {@code -#}}) the whitespace after it, newlines included;
 *   <li>lstrip_blocks: before a block or comment tag without a sign, the spaces and tabs between
 *       the start of its line and the tag are dropped; {@code {%+} keeps them; <li>trim_blocks: the
 *       first newline after a block or comment tag is dropped; {@code +%}} keeps it (the opening
 *       raw tag never trims, as in Jinja2);
 *   <li>comments are dropped; raw blocks are copied as they are.
 * </ul>
 *
 * The code inside each tag is rewritten by {@link Jinja2Code}.
 */
final class Jinja2Source {
  private static final Pattern ENDRAW = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%}");
  private static final Pattern MACRO = Pattern.compile("\\s*(macro|call)\\b.*", Pattern.DOTALL);

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
      char sign = open + 2 < s.length() ? s.charAt(open + 2) : ' ';
      out.append(dataBefore(s, i, open, kind != '{', sign));
      int codeStart = open + 2 + (sign == '-' || sign == '+' ? 1 : 0);
      int close =
          kind == '#'
              ? s.indexOf("#}", codeStart)
              : closingDelimiter(s, codeStart, kind == '{' ? "}}" : "%}");
      if (close < 0) { // unterminated: Jinjava reports it
        out.append(s, open, s.length());
        break;
      }
      char endSign = close > codeStart ? s.charAt(close - 1) : ' ';
      boolean signedEnd = endSign == '-' || endSign == '+';
      String code = s.substring(codeStart, signedEnd ? close - 1 : close);
      int end = close + 2;
      if (kind == '{') {
        out.append("{{").append(Jinja2Code.rewrite(code, true)).append("}}");
        i = endSign == '-' ? skipWhitespace(s, end) : end;
      } else if (kind == '#') {
        i = afterBlock(s, end, endSign);
      } else if (code.strip().equals("raw")) {
        i = copyRaw(s, endSign == '-' ? skipWhitespace(s, end) : end, out);
      } else {
        boolean macro = MACRO.matcher(code).matches();
        out.append("{%").append(Jinja2Code.rewrite(code, !macro)).append("%}");
        i = afterBlock(s, end, endSign);
      }
    }
    return out.toString();
  }

  /** The data before a tag, as Jinja2's lexer leaves it. */
  private static String dataBefore(
      String s, int dataStart, int tagStart, boolean block, char sign) {
    String data = s.substring(dataStart, tagStart);
    if (sign == '-') {
      return rstrip(data);
    }
    if (!block || sign == '+') {
      return data;
    }
    // lstrip_blocks: only whitespace between the start of the line and the tag
    int lineStart = data.lastIndexOf('\n') + 1;
    boolean atLineStart = lineStart > 0 || dataStart == 0 || s.charAt(dataStart - 1) == '\n';
    if (atLineStart
        && data.substring(lineStart).chars().allMatch(c -> PythonStr.isSpace((char) c))) {
      return data.substring(0, lineStart);
    }
    return data;
  }

  /** Where the data after a block or comment tag starts: -%} strips, +%} keeps, %} trims. */
  private static int afterBlock(String s, int afterTag, char endSign) {
    if (endSign == '-') {
      return skipWhitespace(s, afterTag);
    }
    if (endSign == '+') {
      return afterTag;
    }
    return afterTag < s.length() && s.charAt(afterTag) == '\n' ? afterTag + 1 : afterTag;
  }

  /** Copies a raw block's content and its end tag; returns the index after them. */
  private static int copyRaw(String s, int contentStart, StringBuilder out) {
    Matcher endRaw = ENDRAW.matcher(s);
    if (!endRaw.find(contentStart)) {
      out.append("{% raw %}").append(s, contentStart, s.length());
      return s.length();
    }
    out.append("{% raw %}");
    out.append(dataBefore(s, contentStart, endRaw.start(), true, signOf(endRaw.group(1))));
    out.append("{% endraw %}");
    return afterBlock(s, endRaw.end(), signOf(endRaw.group(2)));
  }

  private static char signOf(String group) {
    return group.isEmpty() ? ' ' : group.charAt(0);
  }

  private static String rstrip(String data) {
    int end = data.length();
    while (end > 0 && PythonStr.isSpace(data.charAt(end - 1))) {
      end--;
    }
    return data.substring(0, end);
  }

  private static int skipWhitespace(String s, int from) {
    int i = from;
    while (i < s.length() && PythonStr.isSpace(s.charAt(i))) {
      i++;
    }
    return i;
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
   * The index of the closing delimiter, skipping string literals and balanced braces: in {@code {{
   * {'a': {'b': 1}} }}} the first "}}" closes a dict, not the tag (Jinja2's lexer counts them); -1
   * when there is none.
   */
  private static int closingDelimiter(String s, int from, String close) {
    int depth = 0;
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        i = Jinja2Code.literalEnd(s, i);
        continue;
      }
      if (depth == 0 && s.startsWith(close, i)) {
        return i;
      }
      if (c == '{' || c == '[' || c == '(') {
        depth++;
      } else if ((c == '}' || c == ']' || c == ')') && depth > 0) {
        depth--;
      }
      i++;
    }
    return -1;
  }
}
