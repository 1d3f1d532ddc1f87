package io.kubetune.trainer.tokenizer;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps}, as transformers' {@code tojson} filter calls it ({@code
 * ensure_ascii=False} by default, separators {@code ", "} and {@code ": "}, or {@code ","} with an
 * indent). Jinjava's own tojson writes compact JSON, which would change the prompt text of every
 * template that serialises tools or arguments.
 */
final class PythonJson {
  private final Integer indent;
  private final String itemSeparator;
  private final String keySeparator;
  private final boolean sortKeys;
  private final boolean ensureAscii;

  PythonJson(
      Integer indent,
      String itemSeparator,
      String keySeparator,
      boolean sortKeys,
      boolean ensureAscii) {
    this.indent = indent;
    this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
    this.keySeparator = keySeparator != null ? keySeparator : ": ";
    this.sortKeys = sortKeys;
    this.ensureAscii = ensureAscii;
  }

  String dumps(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0);
    return out.toString();
  }

  private void write(StringBuilder out, Object v, int depth) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger) {
      out.append(v);
    } else if (v instanceof Number n) {
      out.append(pythonFloat(n.doubleValue()));
    } else if (v instanceof Map<?, ?> m) {
      List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
      if (sortKeys) {
        entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
      }
      writeContainer(
          out,
          '{',
          '}',
          entries,
          depth,
          (e, d) -> {
            string(out, keyString(e.getKey()));
            out.append(keySeparator);
            write(out, e.getValue(), d);
          });
    } else if (v instanceof Collection<?> c) {
      writeContainer(out, '[', ']', new ArrayList<>(c), depth, (e, d) -> write(out, e, d));
    } else if (v.getClass().isArray()) {
      List<Object> items = new ArrayList<>();
      for (int i = 0; i < Array.getLength(v); i++) {
        items.add(Array.get(v, i));
      }
      writeContainer(out, '[', ']', items, depth, (e, d) -> write(out, e, d));
    } else {
      string(out, v.toString());
    }
  }

  private interface ItemWriter<T> {
    void write(T item, int depth);
  }

  private <T> void writeContainer(
      StringBuilder out, char open, char close, List<T> items, int depth, ItemWriter<T> w) {
    if (items.isEmpty()) {
      out.append(open).append(close);
      return;
    }
    out.append(open);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(itemSeparator);
      }
      newline(out, depth + 1);
      w.write(items.get(i), depth + 1);
    }
    newline(out, depth);
    out.append(close);
  }

  private void newline(StringBuilder out, int depth) {
    if (indent != null) {
      out.append('\n').append(" ".repeat(indent * depth));
    }
  }

  private static String keyString(Object key) {
    if (key instanceof Boolean b) {
      return b ? "true" : "false";
    }
    return key == null ? "null" : key.toString();
  }

  private void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (ensureAscii && c > 0x7e)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Python's float repr: shortest round-trip digits, "1.0" not "1", "1e+20" not "1.0E20". */
  static String pythonFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    String r = Double.toString(d);
    int e = r.indexOf('E');
    if (e < 0) {
      return r;
    }
    BigDecimal bd = new BigDecimal(r);
    int exp = Integer.parseInt(r.substring(e + 1));
    if (exp >= -4 && exp < 16) {
      String plain = bd.stripTrailingZeros().toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    String mantissa = r.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
  }
}
