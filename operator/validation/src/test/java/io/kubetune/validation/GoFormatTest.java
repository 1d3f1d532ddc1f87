package io.kubetune.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Numbers and strings printed as Go's fmt prints them (%v, %q), as the API server does. */
class GoFormatTest {
  @ParameterizedTest
  @CsvSource({
    "1, 1",
    "0.5, 0.5",
    "1048576, 1.048576e+06",
    "100000, 100000",
    "2147483647, 2.147483647e+09",
    "0.0001, 0.0001",
    "0.00001, 1e-05",
    "-1e-06, -1e-06",
    "3.5, 3.5",
    "1.000001, 1.000001",
  })
  void float64LikeGo(double d, String go) {
    assertThat(GoFormat.float64(d)).isEqualTo(go);
  }

  @org.junit.jupiter.api.Test
  void quotesLikeGo() {
    assertThat(GoFormat.quote("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\n\"");
  }
}
