package io.kubetune.operator.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.finetune.SchemaCheck;
import io.kubetune.validation.CustomResourceValidator;
import io.kubetune.validation.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The spec table, checked with the one validator (the generated CRDs' schema and CEL rules, as the
 * API server checks them): examples/*.yaml and examples/accepted/*.yaml are accepted and read by
 * the operator's own types; every examples/invalid file is refused with exactly the error lines it
 * names in "# expect:" (the e2e corpus scenario checks the same lines against the real API server,
 * and JobSpecLoaderTableTest against `kubetune train`); every examples/invalid/updates file is a
 * valid object whose update is refused so.
 */
class ExamplesTest {
  private static final Path REPO = Path.of(System.getProperty("kubetune.repoRoot", ".."));
  private static final Path EXAMPLES = REPO.resolve("examples");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Path> accepted() throws IOException {
    return Stream.concat(
        yamlIn(EXAMPLES).filter(ExamplesTest::isCustomResource),
        yamlIn(EXAMPLES.resolve("accepted")));
  }

  static Stream<Path> invalid() throws IOException {
    return yamlIn(EXAMPLES.resolve("invalid"));
  }

  static Stream<Path> invalidUpdates() throws IOException {
    return yamlIn(EXAMPLES.resolve("invalid/updates"));
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void acceptedByTheCrdAndReadByTheOperator(Path file) throws IOException {
    for (JsonNode doc : documents(file)) {
      assertThat(validator(doc).validate(doc)).as(file.toString()).isEmpty();
      Class<? extends HasMetadata> type =
          doc.get("kind").asText().equals("FineTuneJob") ? FineTuneJob.class : ModelServe.class;
      // as the operator reads it from the API server (which stores 3.0 as 3: Jackson takes both)
      HasMetadata typed = JSON.treeToValue(doc, type);
      assertThat(typed.getMetadata().getName()).isEqualTo(doc.at("/metadata/name").asText());
      if (typed instanceof FineTuneJob job) {
        // the operator re-checks the typed job, its Java defaults filled in, before it creates
        // anything: a default must never break a rule (a LLaVA pretrain job once waited forever)
        assertThat(SchemaCheck.problems(job)).as("%s as the operator re-checks it", file).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void refusedWithExactlyTheErrorsTheApiServerGives(Path file) throws IOException {
    List<String> expected = expectations(file);
    assertThat(expected).as("%s has no # expect: line", file).isNotEmpty();
    List<JsonNode> docs = documents(file);
    assertThat(docs).hasSize(1);
    assertThat(messages(validator(docs.get(0)).validate(docs.get(0))))
        .as(file.toString())
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @ParameterizedTest
  @MethodSource("invalidUpdates")
  void updateRefusedWithExactlyTheErrorsTheApiServerGives(Path file) throws IOException {
    List<JsonNode> docs = documents(file);
    assertThat(docs).as("%s: the object, then the update", file).hasSize(2);
    CustomResourceValidator validator = validator(docs.get(0));
    assertThat(validator.validate(docs.get(0))).as("%s: the object", file).isEmpty();
    assertThat(messages(validator.validateUpdate(docs.get(0), docs.get(1))))
        .as(file.toString())
        .containsExactlyInAnyOrderElementsOf(expectations(file));
  }

  private static List<String> messages(List<Violation> violations) {
    return violations.stream().map(Violation::message).toList();
  }

  private static CustomResourceValidator validator(JsonNode doc) {
    assertThat(doc.path("apiVersion").asText()).isEqualTo("kubetune.io/v1alpha1");
    return CustomResourceValidator.forKind(doc.path("kind").asText());
  }

  static List<String> expectations(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .filter(l -> l.startsWith("# expect:"))
        .map(l -> l.substring("# expect:".length()).strip())
        .toList();
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
      if (!doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
        docs.add(YAML.readTree(doc));
      }
    }
    return docs;
  }

  private static boolean isCustomResource(Path file) {
    try {
      return documents(file).stream()
          .allMatch(d -> d.path("apiVersion").asText().startsWith("kubetune.io/"));
    } catch (IOException e) {
      return false;
    }
  }

  private static Stream<Path> yamlIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Stream.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }
}
