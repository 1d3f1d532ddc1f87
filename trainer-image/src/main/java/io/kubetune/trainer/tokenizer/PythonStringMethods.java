package io.kubetune.trainer.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's str methods that chat templates call ({@code content.startswith('<think>')}, {@code
 * .strip()}, {@code .split('</think>')}...). Jinjava would otherwise look for Java methods of the
 * same name, and Java's String has none of these names except strip and split, whose semantics
 * differ (Java's split takes a regex and drops trailing empty strings).
 */
final class PythonStringMethods extends ELResolver {
  private static final Pattern LINE_BREAK =
      Pattern.compile("\\r\\n|[\\n\\r\\u000b\\f\\u001c-\\u001e\\u0085\\u2028\\u2029]");

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String s) || method == null) {
      return null;
    }
    Object[] p = params == null ? new Object[0] : params;
    Object result =
        switch (method.toString()) {
          case "startswith" -> p.length == 1 ? matchesAny(s, p[0], true) : null;
          case "endswith" -> p.length == 1 ? matchesAny(s, p[0], false) : null;
          case "lower" -> p.length == 0 ? s.toLowerCase(java.util.Locale.ROOT) : null;
          case "upper" -> p.length == 0 ? s.toUpperCase(java.util.Locale.ROOT) : null;
          case "strip" -> strip(s, p, true, true);
          case "lstrip" -> strip(s, p, true, false);
          case "rstrip" -> strip(s, p, false, true);
          case "split" -> split(s, p);
          case "replace" -> p.length == 2 ? s.replace(str(p[0]), str(p[1])) : null;
          case "title" -> p.length == 0 ? title(s) : null;
          case "capitalize" ->
              p.length == 0 && !s.isEmpty()
                  ? s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                      + s.substring(1).toLowerCase(java.util.Locale.ROOT)
                  : p.length == 0 ? s : null;
          case "count" -> p.length == 1 ? (long) count(s, str(p[0])) : null;
          case "find" -> p.length == 1 ? (long) s.indexOf(str(p[0])) : null;
          case "join" -> p.length == 1 && p[0] instanceof Iterable<?> items ? join(s, items) : null;
          case "splitlines" -> p.length == 0 ? splitlines(s) : null;
          case "format" -> format(s, p);
          case "isdigit" ->
              p.length == 0 ? !s.isEmpty() && s.codePoints().allMatch(Character::isDigit) : null;
          case "isalpha" ->
              p.length == 0 ? !s.isEmpty() && s.codePoints().allMatch(Character::isLetter) : null;
          case "isalnum" ->
              p.length == 0
                  ? !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit)
                  : null;
          case "isspace" ->
              p.length == 0
                  ? !s.isEmpty() && s.chars().allMatch(c -> PythonStr.isSpace((char) c))
                  : null;
          case "islower" ->
              p.length == 0 ? cased(s) && s.equals(s.toLowerCase(java.util.Locale.ROOT)) : null;
          case "isupper" ->
              p.length == 0 ? cased(s) && s.equals(s.toUpperCase(java.util.Locale.ROOT)) : null;
          default -> null;
        };
    if (result != null) {
      context.setPropertyResolved(true);
    }
    return result;
  }

  private static Boolean matchesAny(String s, Object arg, boolean prefix) {
    if (arg instanceof List<?> options) { // Python accepts a tuple of prefixes
      for (Object o : options) {
        if (prefix ? s.startsWith(str(o)) : s.endsWith(str(o))) {
          return true;
        }
      }
      return false;
    }
    return prefix ? s.startsWith(str(arg)) : s.endsWith(str(arg));
  }

  private static String strip(String s, Object[] p, boolean left, boolean right) {
    if (p.length > 1) {
      return null;
    }
    String chars = p.length == 1 && p[0] != null ? str(p[0]) : null;
    int start = 0;
    int end = s.length();
    while (left && start < end && stripped(s.charAt(start), chars)) {
      start++;
    }
    while (right && end > start && stripped(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean stripped(char c, String chars) {
    return chars == null ? PythonStr.isSpace(c) : chars.indexOf(c) >= 0;
  }

  private static List<String> split(String s, Object[] p) {
    String sep = p.length >= 1 && p[0] != null ? str(p[0]) : null;
    int max = p.length >= 2 ? ((Number) p[1]).intValue() : -1;
    List<String> out = new ArrayList<>();
    if (sep == null) { // runs of whitespace, no empty strings
      for (String part : s.strip().split("\\s+", max < 0 ? 0 : max + 1)) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
      return out;
    }
    int from = 0;
    while (max < 0 || out.size() < max) {
      int at = s.indexOf(sep, from);
      if (at < 0) {
        break;
      }
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  private static String join(String sep, Iterable<?> items) {
    StringJoiner joined = new StringJoiner(sep);
    for (Object o : items) {
      joined.add(str(o));
    }
    return joined.toString();
  }

  /** str.format with positional fields only ({}, {0}, {{ and }}); null for anything else. */
  private static String format(String s, Object[] args) {
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c == '{' || c == '}') && i + 1 < s.length() && s.charAt(i + 1) == c) {
        out.append(c);
        i++;
      } else if (c == '{') {
        int close = s.indexOf('}', i);
        String field = close < 0 ? "x" : s.substring(i + 1, close);
        if (!field.matches("\\d*")) {
          return null;
        }
        int index = field.isEmpty() ? next++ : Integer.parseInt(field);
        if (index >= args.length) {
          return null;
        }
        out.append(str(args[index]));
        i = close;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Python's splitlines(): no empty string after a final line break. */
  private static List<String> splitlines(String s) {
    List<String> out = new ArrayList<>();
    Matcher m = LINE_BREAK.matcher(s);
    int from = 0;
    while (m.find()) {
      out.add(s.substring(from, m.start()));
      from = m.end();
    }
    if (from < s.length()) {
      out.add(s.substring(from));
    }
    return out;
  }

  private static boolean cased(String s) {
    return s.codePoints().anyMatch(c -> Character.isUpperCase(c) || Character.isLowerCase(c));
  }

  private static String title(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean prevLetter = false;
    for (char c : s.toCharArray()) {
      b.append(prevLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
      prevLetter = Character.isLetter(c);
    }
    return b.toString();
  }

  private static int count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1;
    }
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
      n++;
    }
    return n;
  }

  private static String str(Object o) {
    return String.valueOf(o);
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  /** {@code s[i]}: a character (a code point, as Python counts), negative indices from the end. */
  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    Integer index =
        property instanceof Number n
            ? Integer.valueOf(n.intValue())
            : property instanceof String p && p.matches("-?\\d{1,9}") ? Integer.valueOf(p) : null;
    if (base instanceof String s && index != null) {
      int[] points = s.codePoints().toArray();
      int i = index < 0 ? index + points.length : index;
      if (i >= 0 && i < points.length) {
        context.setPropertyResolved(true);
        return new String(points, i, 1);
      }
    }
    return null;
  }

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}
}
