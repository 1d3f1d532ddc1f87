package io.kubetune.validation;

import java.math.BigDecimal;

/**
 * Values printed as kube-apiserver (Go's fmt) prints them in error messages: {@code %v} of an int64
 * or a float64 and {@code %q} of a string, so that our messages read exactly as the API server's.
 */
final class GoFormat {
  private GoFormat() {}

  /** {@code %v}: a Long as digits, a Double in Go's shortest form (1e+06, 0.5, 2). */
  static String number(Number n) {
    if (n instanceof Double d) {
      return float64(d);
    }
    return n.toString();
  }

  /**
   * Go's {@code strconv.FormatFloat(f, 'g', -1, 64)}: the shortest digits that round-trip, in
   * exponent form when the decimal exponent is below -4 or at least 6 (as {@code %v} does for the
   * shortest precision).
   */
  static String float64(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0" : "0";
    }
    BigDecimal v = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = v.unscaledValue().toString();
    int exp = digits.length() - v.scale() - 1;
    String sign = d < 0 ? "-" : "";
    if (exp < -4 || exp >= 6) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String e = String.valueOf(Math.abs(exp));
      return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }
    return sign + v.toPlainString();
  }

  /** Go's {@code %q} of a string. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** A bad value as field errors print it: strings quoted, numbers and booleans as they are. */
  static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return quote(s);
    }
    if (v instanceof Number n) {
      return number(n);
    }
    return v.toString();
  }
}
