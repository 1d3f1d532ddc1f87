package io.kubetune.trainer.tokenizer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * Rewrites the code inside one Jinja2 tag (between its delimiters) into code Jinjava evaluates as
 * Jinja2 would:
 *
 * <ul>
 *   <li>Jinja2 string literals take Python escapes ({@code '\n'}, {@code '\t'}, {@code '\u00e9'});
 *       Jinjava only unescapes quotes and backslashes, so the others are decoded here;
 *   <li>an inner "}}" of nested dict literals is split so that Jinjava does not end the tag there;
 *   <li>Jinjava cannot parse a slice with a step; {@code name[::-1]} (Qwen2.5's and Qwen3's
 *       templates) becomes {@code (name|reverse|list)};
 *   <li>Jinjava binds {@code not} tighter than a test: {@code not x is defined} (Llama 3.1's and
 *       DeepSeek's templates) becomes {@code not (x is defined)}, as Jinja2 reads it;
 *   <li>Jinjava binds a keyword argument to the first operand of its value only ({@code
 *       namespace(last_query_index=messages|length - 1)}, Qwen3's template): keyword values are put
 *       in parentheses.
 * </ul>
 *
 * String literals are never changed but for their escapes.
 */
final class Jinja2Code {
  private static final Pattern REVERSED_SLICE =
      Pattern.compile(
          "([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)\\[\\s*:\\s*:\\s*-1\\s*\\]");

  /** {@code not OPERAND is [not] TEST}, on code whose string literals are masked. */
  private static final Pattern NOT_TEST =
      Pattern.compile(
          "\\bnot\\s+([A-Za-z_][A-Za-z0-9_]*(?:\\s*(?:\\.\\s*[A-Za-z_][A-Za-z0-9_]*|\\[[^\\[\\]]*\\]))*"
              + "\\s+is\\s+(?:not\\s+)?[A-Za-z_][A-Za-z0-9_]*)\\b");

  private static final Pattern KEYWORD = Pattern.compile("\\s*[A-Za-z_][A-Za-z0-9_]*\\s*=(?!=)");

  private Jinja2Code() {}

  /**
   * @param code the text between a tag's delimiters (whitespace-control signs removed)
   * @param keywordValues whether keyword argument values may be parenthesized (not in a macro's
   *     signature, whose defaults Jinjava parses on its own)
   */
  static String rewrite(String code, boolean keywordValues) {
    String c = bindNotBelowTests(keywordValues ? parenthesizeKeywordValues(code) : code);
    StringBuilder out = new StringBuilder(c.length());
    int i = 0;
    int plainStart = 0;
    while (i < c.length()) {
      char ch = c.charAt(i);
      if (ch == '\'' || ch == '"') {
        out.append(rewritePlain(c.substring(plainStart, i)));
        int end = literalEnd(c, i);
        out.append(decodeEscapes(c.substring(i, end)));
        i = end;
        plainStart = i;
      } else {
        i++;
      }
    }
    out.append(rewritePlain(c.substring(plainStart)));
    return out.toString();
  }

  private static String rewritePlain(String code) {
    String c = code.replace("}}", "} }");
    return REVERSED_SLICE.matcher(c).replaceAll("($1|reverse|list)");
  }

  /**
   * {@code f(a, k=x + 1)} becomes {@code f(a, k=(x + 1))}: every argument of a call that starts
   * with {@code name=} gets its value in parentheses, up to the comma or bracket that ends it.
   */
  static String parenthesizeKeywordValues(String code) {
    StringBuilder out = new StringBuilder(code.length() + 8);
    Deque<Character> brackets = new ArrayDeque<>();
    Deque<Boolean> openKeyword = new ArrayDeque<>(); // per open bracket: a "(" awaits its ")"
    int i = 0;
    boolean argumentStart = false;
    while (i < code.length()) {
      char ch = code.charAt(i);
      if (argumentStart) {
        argumentStart = false;
        var m = KEYWORD.matcher(code).region(i, code.length());
        if (m.lookingAt()) {
          out.append(code, i, m.end()).append('(');
          openKeyword.pop();
          openKeyword.push(true);
          i = m.end();
          continue;
        }
      }
      if (ch == '\'' || ch == '"') {
        int end = literalEnd(code, i);
        out.append(code, i, end);
        i = end;
        continue;
      }
      if (ch == '(' || ch == '[' || ch == '{') {
        brackets.push(ch);
        openKeyword.push(false);
        argumentStart = ch == '(';
      } else if ((ch == ')' || ch == ']' || ch == '}') && !brackets.isEmpty()) {
        brackets.pop();
        if (openKeyword.pop()) {
          out.append(')');
        }
      } else if (ch == ',' && !brackets.isEmpty() && brackets.peek() == '(') {
        if (openKeyword.peek()) {
          out.append(')');
          openKeyword.pop();
          openKeyword.push(false);
        }
        argumentStart = true;
      }
      out.append(ch);
      i++;
    }
    return out.toString();
  }

  static String bindNotBelowTests(String code) {
    var m = NOT_TEST.matcher(masked(code));
    StringBuilder out = new StringBuilder(code.length() + 8);
    int last = 0;
    while (m.find()) {
      out.append(code, last, m.start(1)).append('(').append(code, m.start(1), m.end(1)).append(')');
      last = m.end(1);
    }
    return out.append(code, last, code.length()).toString();
  }

  /** The code with the characters inside string literals replaced, so that patterns skip them. */
  private static String masked(String code) {
    StringBuilder out = new StringBuilder(code);
    for (int i = 0; i < code.length(); ) {
      char ch = code.charAt(i);
      if (ch == '\'' || ch == '"') {
        int end = literalEnd(code, i);
        for (int j = i + 1; j < end - 1; j++) {
          out.setCharAt(j, '_');
        }
        i = end;
      } else {
        i++;
      }
    }
    return out.toString();
  }

  /** The index after the closing quote of the literal that opens at {@code start}. */
  static int literalEnd(String s, int start) {
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
