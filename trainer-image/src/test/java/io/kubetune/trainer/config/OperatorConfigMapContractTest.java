package io.kubetune.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubetune.api.TrainingJobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract between the operator and the trainer: every job.yaml the operator renders into a
 * ConfigMap (its golden files) is one the trainer reads without complaint.
 */
class OperatorConfigMapContractTest {
  private static final Path GOLDEN =
      Path.of(System.getProperty("kubetune.repoRoot", ".."))
          .resolve("operator/src/test/resources/golden/finetunejob");

  @Test
  void theTrainerReadsEveryJobYamlTheOperatorRenders(@TempDir Path dir) throws IOException {
    List<Path> rendered = jobYamls(dir);
    assertThat(rendered).hasSizeGreaterThanOrEqualTo(5);
    JobSpecLoader loader = new JobSpecLoader(new SourceResolver(Path.of("/mnt/pvc")));
    for (Path file : rendered) {
      TrainingJobSpec spec = loader.read(file);
      assertThat(spec.output()).as("%s: output path filled in", file).isNotNull();
      assertThat(spec.output().path()).startsWith("pvc://");
      assertThat(spec.datasets()).isNotEmpty();
    }
  }

  /** The job.yaml of every ConfigMap in the operator's golden outputs, written to files. */
  private static List<Path> jobYamls(Path dir) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(GOLDEN)) {
      for (Path golden :
          files.filter(p -> !p.toString().endsWith(".input.yaml")).sorted().toList()) {
        for (JsonNode doc :
            yaml.readValues(yaml.createParser(golden.toFile()), JsonNode.class).readAll()) {
          if ("ConfigMap".equals(doc.path("kind").asText())) {
            Path file = dir.resolve(golden.getFileName() + ".job.yaml");
            Files.writeString(file, doc.path("data").path("job.yaml").asText());
            out.add(file);
          }
        }
      }
    }
    return out;
  }
}
