package io.kubetune.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs committed under crds/ are exactly what the Java API types generate, with {@link
 * CrdPostProcessing}. Run with -Dkubetune.updateCrds=true (make crds) to rewrite them after
 * changing the types.
 */
class CrdSyncTest {

  private static final Path CRDS =
      Path.of(System.getProperty("kubetune.repoRoot", "..")).resolve("crds");

  @Test
  void committedCrdsMatchTheJavaTypes(@TempDir Path generated) throws IOException {
    new CRDGenerator()
        .customResourceClasses(FineTuneJob.class, ModelServe.class)
        .withPostProcessor(new CrdPostProcessing())
        .forCRDVersions("v1")
        .inOutputDir(generated.toFile())
        .generate();
    List<Path> files = list(generated);
    for (Path f : files) {
      Class<?> type =
          f.getFileName().toString().startsWith("finetunejobs")
              ? FineTuneJob.class
              : ModelServe.class;
      Files.writeString(f, orderPrinterColumns(Files.readString(f), type));
    }
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

  /**
   * The generator sorts printer columns by JSON path; kubectl shows them in CRD order, so put them
   * back in the order the class declares them (Phase, Progress, Loss, Age).
   */
  static String orderPrinterColumns(String yaml, Class<?> type) {
    List<String> order =
        Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    String head = "  - additionalPrinterColumns:\n";
    int start = yaml.indexOf(head);
    assertThat(start).as("printer columns in the generated CRD").isPositive();
    int from = start + head.length();
    int end = yaml.indexOf("\n    name: ", from) + 1;
    List<String> entries = new ArrayList<>();
    for (String line : yaml.substring(from, end).split("\n")) {
      if (line.startsWith("    - ")) {
        entries.add(line + "\n");
      } else {
        entries.set(entries.size() - 1, entries.get(entries.size() - 1) + line + "\n");
      }
    }
    entries.sort(
        Comparator.comparingInt(
            e -> order.indexOf(e.replaceAll("(?s).*\n      name: \"([^\"]+)\".*", "$1"))));
    return yaml.substring(0, from) + String.join("", entries) + yaml.substring(end);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }
}
