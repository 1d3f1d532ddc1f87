package io.kubetune.operator.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * examples/*.yaml validate against the generated CRD schemas; every examples/invalid file names the
 * error a real API server must give (checked against one by the test-tier issue): here its OpenAPI
 * failures are reproduced by {@link SchemaValidator} and its CEL messages must be rules of the CRD.
 */
class ExamplesTest {
  private static final Path REPO = Path.of(System.getProperty("kubetune.repoRoot", ".."));
  private static final Path EXAMPLES = REPO.resolve("examples");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Stream<Path> examples() throws IOException {
    return yamlIn(EXAMPLES).filter(ExamplesTest::isCustomResource);
  }

  static Stream<Path> invalid() throws IOException {
    return yamlIn(EXAMPLES.resolve("invalid"));
  }

  static Stream<Path> invalidUpdates() throws IOException {
    return yamlIn(EXAMPLES.resolve("invalid/updates"));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleIsValidAgainstTheCrdSchema(Path file) throws IOException {
    for (JsonNode doc : documents(file)) {
      assertThat(SchemaValidator.validate(schemaFor(doc), doc)).as(file.toString()).isEmpty();
      assertThat(doc.path("metadata").path("name").asText().length())
          .isLessThanOrEqualTo(FineTuneJob.MAX_NAME_LENGTH);
      // and the operator's own types read it
      Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> type =
          doc.get("kind").asText().equals("FineTuneJob") ? FineTuneJob.class : ModelServe.class;
      Object typed = Serialization.unmarshal(YAML.writeValueAsString(doc), type);
      assertThat(typed).isNotNull();
    }
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void invalidResourceNamesTheErrorTheApiServerGives(Path file) throws IOException {
    List<String> expected = expectations(file);
    assertThat(expected)
        .as("%s has no # expect: line", file)
        .isNotEmpty()
        .allMatch(e -> !e.isBlank());
    List<JsonNode> docs = documents(file);
    assertThat(docs).hasSize(1);
    check(file, docs.get(0), expected);
  }

  @ParameterizedTest
  @MethodSource("invalidUpdates")
  void refusedUpdateNamesATransitionRuleOfTheCrd(Path file) throws IOException {
    List<String> expected = expectations(file);
    assertThat(expected).isNotEmpty();
    List<JsonNode> docs = documents(file);
    assertThat(docs).as("%s: the object, then the update", file).hasSize(2);
    for (JsonNode doc : docs) {
      assertThat(SchemaValidator.validate(schemaFor(doc), doc)).as(file.toString()).isEmpty();
    }
    List<String> rules = celRules(schemaFor(docs.get(0)));
    for (String e : celExpectations(expected)) {
      assertThat(rules)
          .as("%s: a CEL rule with message '%s'", file, e)
          .anyMatch(m -> m.contains(e));
    }
  }

  private static void check(Path file, JsonNode doc, List<String> expected) {
    JSONSchemaProps schema = schemaFor(doc);
    List<String> errors = SchemaValidator.validate(schema, doc);
    List<String> cel = celExpectations(expected);
    if (cel.isEmpty()) {
      String all = String.join("\n", errors);
      for (String e : expected) {
        assertThat(all).as("%s: the schema error", file).contains(e);
      }
    } else {
      assertThat(errors).as("%s: only a CEL rule refuses it", file).isEmpty();
      List<String> rules = celRules(schema);
      for (String e : cel) {
        assertThat(rules)
            .as("%s: a CEL rule with message '%s'", file, e)
            .anyMatch(m -> m.contains(e));
      }
    }
  }

  /** Expectations that are a CEL message, not an OpenAPI error or its field prefix. */
  private static List<String> celExpectations(List<String> expected) {
    return expected.stream()
        .filter(e -> !e.endsWith("Invalid value:"))
        .filter(
            e ->
                !e.contains(" in body ")
                    && !e.endsWith("Required value")
                    && !e.contains("Unsupported value")
                    && !e.startsWith("unknown field"))
        .toList();
  }

  private static List<String> celRules(JSONSchemaProps schema) {
    List<String> messages = new ArrayList<>();
    collect(schema, messages);
    return messages;
  }

  private static void collect(JSONSchemaProps s, List<String> messages) {
    if (s == null) {
      return;
    }
    if (s.getXKubernetesValidations() != null) {
      s.getXKubernetesValidations().stream().map(ValidationRule::getMessage).forEach(messages::add);
    }
    if (s.getProperties() != null) {
      s.getProperties().values().forEach(p -> collect(p, messages));
    }
    if (s.getItems() != null) {
      collect(s.getItems().getSchema(), messages);
    }
  }

  private static JSONSchemaProps schemaFor(JsonNode doc) {
    String kind = doc.get("kind").asText();
    String file =
        switch (kind) {
          case "FineTuneJob" -> "finetunejobs.kubetune.io-v1.yml";
          case "ModelServe" -> "modelserves.kubetune.io-v1.yml";
          default -> throw new AssertionError("not a kubetune resource: " + kind);
        };
    assertThat(doc.get("apiVersion").asText()).isEqualTo("kubetune.io/v1alpha1");
    try {
      CustomResourceDefinition crd =
          Serialization.unmarshal(
              Files.readString(REPO.resolve("crds").resolve(file)), CustomResourceDefinition.class);
      return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<String> expectations(Path file) throws IOException {
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
