package io.kubetune.validation;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * A Kubernetes resource quantity ({@code 500m}, {@code 64Gi}, {@code 1e3}), read as the API
 * server's {@code resource.ParseQuantity} reads it (apimachinery v0.36: the same leniencies, e.g.
 * {@code "."} and {@code "+"} are zero, {@code 1.G} is accepted), for the CEL functions {@code
 * isQuantity()} and {@code quantity()} of the Kubernetes CEL library. The value is kept exact;
 * Kubernetes rounds a non-zero amount below 1n up to 1n, which never changes its sign or its order
 * against zero.
 *
 * @param value the amount in base units
 */
record Quantity(BigDecimal value) implements Comparable<Quantity> {
  private static final Map<String, BigDecimal> SUFFIXES =
      Map.ofEntries(
          Map.entry("n", BigDecimal.ONE.scaleByPowerOfTen(-9)),
          Map.entry("u", BigDecimal.ONE.scaleByPowerOfTen(-6)),
          Map.entry("m", BigDecimal.ONE.scaleByPowerOfTen(-3)),
          Map.entry("", BigDecimal.ONE),
          Map.entry("k", BigDecimal.ONE.scaleByPowerOfTen(3)),
          Map.entry("M", BigDecimal.ONE.scaleByPowerOfTen(6)),
          Map.entry("G", BigDecimal.ONE.scaleByPowerOfTen(9)),
          Map.entry("T", BigDecimal.ONE.scaleByPowerOfTen(12)),
          Map.entry("P", BigDecimal.ONE.scaleByPowerOfTen(15)),
          Map.entry("E", BigDecimal.ONE.scaleByPowerOfTen(18)),
          Map.entry("Ki", new BigDecimal(1L << 10)),
          Map.entry("Mi", new BigDecimal(1L << 20)),
          Map.entry("Gi", new BigDecimal(1L << 30)),
          Map.entry("Ti", new BigDecimal(1L << 40)),
          Map.entry("Pi", new BigDecimal(1L << 50)),
          Map.entry("Ei", new BigDecimal(1L << 60)));

  /** The quantity {@code s} denotes, or empty where Kubernetes refuses it. */
  static Optional<Quantity> parse(String s) {
    int end = s.length();
    if (end == 0) {
      return Optional.empty();
    }
    int pos = 0;
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      pos++;
    }
    while (pos < end && s.charAt(pos) == '0') {
      pos++;
    }
    if (pos >= end) {
      return Optional.of(new Quantity(BigDecimal.ZERO));
    }
    int numStart = pos;
    while (pos < end && isDigit(s.charAt(pos))) {
      pos++;
    }
    String num = s.substring(numStart, pos);
    String denom = "";
    if (pos < end && s.charAt(pos) == '.') {
      int denomStart = ++pos;
      while (pos < end && isDigit(s.charAt(pos))) {
        pos++;
      }
      denom = s.substring(denomStart, pos);
    }
    int suffixStart = pos;
    while (pos < end && "eEinumkKMGTP".indexOf(s.charAt(pos)) >= 0) {
      pos++;
    }
    if (pos < end && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
      pos++;
    }
    while (pos < end && isDigit(s.charAt(pos))) {
      pos++;
    }
    if (pos < end) {
      return Optional.empty();
    }
    Optional<BigDecimal> multiplier = multiplier(s.substring(suffixStart));
    if (multiplier.isEmpty()) {
      return Optional.empty();
    }
    BigDecimal amount =
        new BigDecimal((num.isEmpty() ? "0" : num) + (denom.isEmpty() ? "" : "." + denom))
            .multiply(multiplier.get());
    return Optional.of(new Quantity(negative ? amount.negate() : amount));
  }

  /** The factor of a suffix: a decimal or binary SI prefix, or a decimal exponent e3, E-2. */
  private static Optional<BigDecimal> multiplier(String suffix) {
    BigDecimal known = SUFFIXES.get(suffix);
    if (known != null) {
      return Optional.of(known);
    }
    if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
      try {
        int exponent = (int) Long.parseLong(suffix.substring(1)); // Go: int32(ParseInt(...))
        return Optional.of(BigDecimal.ONE.scaleByPowerOfTen(exponent));
      } catch (NumberFormatException | ArithmeticException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  int sign() {
    return value.signum();
  }

  @Override
  public int compareTo(Quantity o) {
    return value.compareTo(o.value);
  }
}
