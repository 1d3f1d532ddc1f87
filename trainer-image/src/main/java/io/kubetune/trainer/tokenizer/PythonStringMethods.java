package io.kubetune.trainer.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's str methods that chat templates call ({@code content.startswith('<think>')}, {@code
 * .strip()}, {@code .split('</think>')}...). Jinjava would otherwise look for Java methods of the
 * same name, and Java's String has none of these names except strip and split, whose semantics
 * differ (Java's split takes a regex and drops trailing empty strings).
 */
final class PythonStringMethods extends ELResolver {

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

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}
}
