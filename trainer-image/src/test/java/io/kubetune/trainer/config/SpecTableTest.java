package io.kubetune.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The spec table, read by {@code kubetune train}: every FineTuneJob of examples/invalid is refused
 * (exit code 78) with exactly the error lines its "# expect:" comments list, which the e2e corpus
 * scenario checks against the real API server; every FineTuneJob of examples/ and examples/accepted
 * is read. So the trainer and the API server accept and refuse the same specs with the same
 * messages (the trainer adds file:line:column and a did-you-mean).
 */
class SpecTableTest {
  private static final Path EXAMPLES =
      Path.of(System.getProperty("kubetune.repoRoot", "..")).resolve("examples");

  private final JobSpecLoader loader = new JobSpecLoader(new SourceResolver(Path.of("/mnt/pvc")));

  static Stream<Path> refused() throws IOException {
    return fineTuneJobs(EXAMPLES.resolve("invalid"));
  }

  static Stream<Path> accepted() throws IOException {
    return Stream.concat(fineTuneJobs(EXAMPLES), fineTuneJobs(EXAMPLES.resolve("accepted")));
  }

  @Test
  void theTableCoversTheRules() throws IOException {
    assertThat(refused().count()).isGreaterThanOrEqualTo(30);
    assertThat(accepted().count()).isGreaterThanOrEqualTo(8);
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusedWithTheApiServersMessages(Path file) throws IOException {
    KubetuneException e = catchThrowableOfType(KubetuneException.class, () -> loader.read(file));
    assertThat(e).as("%s was accepted", file).isNotNull();
    assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.CONFIG_ERROR);
    List<String> messages =
        Arrays.stream(e.getMessage().split("\n"))
            .map(line -> withoutPlace(file, line))
            .map(m -> m.replaceFirst(" \\(did you mean [^)]*\\?\\)$", ""))
            .toList();
    assertThat(messages).as(file.toString()).containsExactlyInAnyOrderElementsOf(expected(file));
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void accepted(Path file) {
    assertThat(loader.read(file)).as(file.toString()).isNotNull();
  }

  /** "file:line:column: message" or "file: message" -> message. */
  private static String withoutPlace(Path file, String line) {
    assertThat(line).startsWith(file.toString());
    return line.substring(file.toString().length()).replaceFirst("^(:\\d+:\\d+)?: ", "");
  }

  private static List<String> expected(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .filter(l -> l.startsWith("# expect:"))
        .map(l -> l.substring("# expect:".length()).strip())
        .toList();
  }

  private static Stream<Path> fineTuneJobs(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml"))
          .filter(SpecTableTest::isFineTuneJob)
          .sorted()
          .toList()
          .stream();
    }
  }

  private static boolean isFineTuneJob(Path file) {
    try {
      return Files.readAllLines(file).contains("kind: FineTuneJob");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
