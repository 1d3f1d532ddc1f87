package io.kubetune.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Quantities as apimachinery's ParseQuantity reads them (its own test table, v0.36). */
class QuantityTest {
  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "500m, 0.5",
    "8, 8",
    "64Gi, 68719476736",
    "1.5Gi, 1610612736",
    "1e3, 1000",
    "1E-3, 0.001",
    "1E, 1000000000000000000",
    "-8Gi, -8589934592",
    "+2, 2",
    "100n, 0.0000001",
    "1.G, 1000000000",
    ".5, 0.5",
    "., 0",
    "+, 0",
    "000123, 123",
  })
  void parses(String s, String value) {
    assertThat(Quantity.parse(s))
        .hasValueSatisfying(q -> assertThat(q.value()).isEqualByComparingTo(new BigDecimal(value)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1.2.3", "lots", "1e", "1Gi5", "1 Gi", "1GB", "1ki", "--1", "1e1.5"})
  void refuses(String s) {
    assertThat(Quantity.parse(s)).isEmpty();
  }
}
