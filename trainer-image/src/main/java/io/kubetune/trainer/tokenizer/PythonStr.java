package io.kubetune.trainer.tokenizer;

/** Python str behaviour that the data pipeline must reproduce exactly. */
public final class PythonStr {
  private PythonStr() {}

  /** Python's {@code str.isspace()} for one char (Unicode whitespace, incl. NBSP and U+0085). */
  public static boolean isSpace(char c) {
    return Character.isWhitespace(c)
        || Character.isSpaceChar(c)
        || c == '\u0085'
        || (c >= '\u001c' && c <= '\u001f');
  }

  /** Python's {@code str.strip()} with no argument. */
  public static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }
}
