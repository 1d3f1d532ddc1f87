package io.kubetune.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs committed under crds/ are exactly what the Java API types generate. Run with
 * -Dkubetune.updateCrds=true to rewrite them after changing the types.
 */
class CrdSyncTest {

  private static final Path CRDS =
      Path.of(System.getProperty("kubetune.repoRoot", "..")).resolve("crds");

  @Test
  void committedCrdsMatchTheJavaTypes(@TempDir Path generated) throws IOException {
    new CRDGenerator()
        .customResourceClasses(FineTuneJob.class, ModelServe.class)
        .forCRDVersions("v1")
        .inOutputDir(generated.toFile())
        .generate();
    List<Path> files = list(generated);
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder(
            "finetunejobs.kubetune.io-v1.yml", "modelserves.kubetune.io-v1.yml");

    if (Boolean.getBoolean("kubetune.updateCrds")) {
      Files.createDirectories(CRDS);
      for (Path f : files) {
        Files.copy(
            f, CRDS.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (Path f : files) {
      Path committed = CRDS.resolve(f.getFileName());
      assertThat(committed)
          .as(
              "%s is out of date: run `mvn -pl operator -am test -Dtest=CrdSyncTest -Dsurefire.failIfNoSpecifiedTests=false -Dkubetune.updateCrds=true`",
              committed)
          .exists();
      assertThat(Files.readString(committed))
          .as(
              "%s is out of date: run `mvn -pl operator -am test -Dtest=CrdSyncTest -Dsurefire.failIfNoSpecifiedTests=false -Dkubetune.updateCrds=true`",
              committed)
          .isEqualTo(Files.readString(f));
    }
    assertThat(list(CRDS)).hasSameSizeAs(files);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }
}
