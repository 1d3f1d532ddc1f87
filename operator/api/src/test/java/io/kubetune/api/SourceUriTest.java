package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SourceUriTest {

  @ParameterizedTest
  @CsvSource({
    "file:///data/train.jsonl, file, , /data/train.jsonl",
    "file:///models/qwen/, file, , /models/qwen",
    "pvc://models/qwen2-0.5b, pvc, models, qwen2-0.5b",
    "pvc://shared-data, pvc, shared-data, ''",
    "pvc://out/runs/job-1/, pvc, out, runs/job-1",
  })
  void parsesKnownSchemes(String uri, String scheme, String claim, String path) {
    SourceUri parsed = SourceUri.parse("model.source", uri);
    assertThat(parsed.scheme()).isEqualTo(scheme);
    assertThat(parsed.claim()).isEqualTo(claim);
    assertThat(parsed.path()).isEqualTo(path);
    assertThat(Pattern.compile(SourceUri.PATTERN).matcher(uri).find()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "s3://bucket/x | datasets[0].source: unsupported scheme 's3'",
        "/data/x.jsonl | datasets[0].source: unsupported scheme '(none)'",
        "file://data/x | datasets[0].source: file URIs need an absolute path",
        "file:///data/../etc/passwd | datasets[0].source: the path must be normalised",
        "pvc://claim/../other | datasets[0].source: the path must be normalised",
        "pvc://out//tmp/model | datasets[0].source: the path must be normalised",
        "pvc://claim/./x | datasets[0].source: the path must be normalised",
        "pvc://Bad_Claim/x | datasets[0].source: 'Bad_Claim' is not a valid PersistentVolumeClaim",
      })
  void rejectsWithTheFieldName(String uri, String message) {
    assertThatThrownBy(() -> SourceUri.parse("datasets[0].source", uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message.strip());
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3://bucket/x", "/data/x", "file://rel", "pvc://Bad_Claim/x"})
  void crdPatternRejectsWhatParseRejectsForScheme(String uri) {
    assertThat(Pattern.compile(SourceUri.PATTERN).matcher(uri).find()).isFalse();
  }

  /** The CRD's rule is NORMALISED_RULE, built from UNSAFE_PATH: test that constant itself. */
  @ParameterizedTest
  @ValueSource(strings = {"file:///a/../b", "pvc://c/..", "pvc://c/x/../../y", "pvc://out//tmp"})
  void theCrdsUnsafePathConstantMatchesWhatParseRejects(String uri) {
    assertThat(SourceUri.NORMALISED_RULE).contains(SourceUri.UNSAFE_PATH);
    assertThat(Pattern.compile(SourceUri.UNSAFE_PATH).matcher(uri).find()).isTrue();
    assertThatThrownBy(() -> SourceUri.parse("f", uri))
        .hasMessageContaining(SourceUri.NOT_NORMALISED_MESSAGE);
  }

  @org.junit.jupiter.api.Test
  void resolvesPvcUnderItsMountRoot() {
    assertThat(SourceUri.parse("f", "pvc://models/llama").resolve(Path.of("/mnt")))
        .isEqualTo(Path.of("/mnt/models/llama"));
    assertThat(SourceUri.parse("f", "file:///x/y").resolve(Path.of("/mnt")))
        .isEqualTo(Path.of("/x/y"));
  }
}
