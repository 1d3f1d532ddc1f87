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
        "gs://bucket/x | datasets[0].source: unsupported scheme 'gs'",
        "/data/x.jsonl | datasets[0].source: unsupported scheme '(none)'",
        "file://data/x | datasets[0].source: file URIs need an absolute path",
        "file:///data/../etc/passwd | datasets[0].source: the path must be normalised",
        "pvc://claim/../other | datasets[0].source: the path must be normalised",
        "pvc://out//tmp/model | datasets[0].source: the path must be normalised",
        "pvc://claim/./x | datasets[0].source: the path must be normalised",
        "pvc://Bad_Claim/x | datasets[0].source: 'Bad_Claim' is not a valid PersistentVolumeClaim",
        "s3://Bucket/x | datasets[0].source: not a valid s3://bucket/key",
        "s3://ab/x | datasets[0].source: not a valid s3://bucket/key",
        "s3://data/../other/x | datasets[0].source: the path must be normalised",
        "s3://data//x | datasets[0].source: the path must be normalised",
        "s3://data/a/./x | datasets[0].source: the path must be normalised",
        "hf://qwen | datasets[0].source: not a valid hf://[datasets/]org/name",
        "hf://Qwen/Qwen2@../x | datasets[0].source: not a valid hf://",
        "hf://Qwen/../etc | datasets[0].source: not a valid hf://",
        "hf://datasets/org/data/../../x | datasets[0].source: the path must be normalised",
        "hf://Qwen/Qwen2//config.json | datasets[0].source: the path must be normalised",
      })
  void rejectsWithTheFieldName(String uri, String message) {
    assertThatThrownBy(() -> SourceUri.parse("datasets[0].source", uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message.strip());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/data/x",
        "file://rel",
        "pvc://Bad_Claim/x",
        "gs://b/x",
        "s3://Bucket/x",
        "s3://ab",
        "hf://qwen",
        "hf://Qwen/Qwen2@../x",
        "hf://-x/y"
      })
  void crdPatternsRejectWhatParseRejectsForScheme(String uri) {
    assertThat(Pattern.compile(SourceUri.PATTERN).matcher(uri).find()).isFalse();
    assertThat(Pattern.compile(SourceUri.SOURCE_PATTERN).matcher(uri).find()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "s3://models/qwen2-0.5b/, s3, models, qwen2-0.5b, ",
    "s3://my.data-lake/train/chats.jsonl, s3, my.data-lake, train/chats.jsonl, ",
    "s3://bucket, s3, bucket, '', ",
    "hf://Qwen/Qwen2-0.5B-Instruct, hf, Qwen/Qwen2-0.5B-Instruct, '', ",
    "hf://internlm/internlm2-chat-1_8b@v1.0.0, hf, internlm/internlm2-chat-1_8b, '', v1.0.0",
    "hf://datasets/tatsu-lab/alpaca@main/data/alpaca.jsonl, hf, datasets/tatsu-lab/alpaca,"
        + " data/alpaca.jsonl, main",
    "hf://org/name@0123456789abcdef0123456789abcdef01234567/sub, hf, org/name, sub,"
        + " 0123456789abcdef0123456789abcdef01234567",
  })
  void parsesRemoteSourcesThatOnlyModelsAndDatasetsTake(
      String uri, String scheme, String authority, String path, String revision) {
    SourceUri parsed = SourceUri.parse("model.source", uri);
    assertThat(parsed).isEqualTo(new SourceUri(scheme, authority, path, revision));
    assertThat(parsed.remote()).isTrue();
    assertThat(parsed.claim()).isNull();
    assertThat(Pattern.compile(SourceUri.SOURCE_PATTERN).matcher(uri).find()).isTrue();
    assertThat(Pattern.compile(SourceUri.PATTERN).matcher(uri).find())
        .as("outputs and served models stay on file:// or pvc://")
        .isFalse();
    assertThatThrownBy(() -> parsed.resolve(Path.of("/mnt")))
        .isInstanceOf(IllegalStateException.class);
  }

  /** The CRD's rule is NORMALISED_RULE, built from UNSAFE_PATH: test that constant itself. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "file:///a/../b",
        "pvc://c/..",
        "pvc://c/x/../../y",
        "pvc://out//tmp",
        "s3://bkt/../x",
        "s3://bucket/a//b",
        "hf://o/n/./x",
        "hf://datasets/o/n@main/../../x"
      })
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
