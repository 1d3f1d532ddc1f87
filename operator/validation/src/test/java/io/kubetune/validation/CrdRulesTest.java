package io.kubetune.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.api.SourceUri;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated CRDs' own rules, evaluated here: every rule compiles in the Java CEL environment (a
 * Kubernetes CEL function without its Java twin fails here, not in a user's face), and the path
 * rule on every URI field of both kinds refuses exactly what {@link SourceUri#parse} refuses.
 */
class CrdRulesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @ValueSource(strings = {"FineTuneJob", "ModelServe"})
  void everyRuleOfTheCrdCompiles(String kind) {
    List<String> rules = new ArrayList<>();
    collect(CustomResourceValidator.openApiV3Schema(kind), rules);
    assertThat(rules).hasSizeGreaterThan(kind.equals("FineTuneJob") ? 15 : 5);
    for (String rule : rules) {
      assertThatCode(() -> KubernetesCel.program(rule)).as(rule).doesNotThrowAnyException();
    }
  }

  /** Every URI field of both kinds (the CRD rule is evaluated, not a copy of it). */
  private static final List<String> URI_FIELDS =
      List.of(
          "FineTuneJob /spec/model/source",
          "FineTuneJob /spec/datasets/0/source",
          "FineTuneJob /spec/output/path",
          "ModelServe /spec/model",
          "ModelServe /spec/adapter");

  @ParameterizedTest
  @CsvSource({
    "pvc://models/qwen2, true",
    "pvc://models, true",
    "pvc://models/, true",
    "pvc://models/a/b/, true",
    "pvc://models/..x/.y, true",
    "file:///models/qwen2, true",
    "file:///, true",
    "pvc://out//tmp/model, false",
    "pvc://models//etc, false",
    "pvc://models/../etc, false",
    "pvc://models/a/../../etc, false",
    "pvc://models/./x, false",
    "pvc://models/x/., false",
    "pvc://models/x/.., false",
    "pvc://models/x//, false",
    "file:///a//b, false",
    "file:///a/../b, false",
    "file:///a/./b, false",
  })
  void everyUriFieldTakesWhatTheParserTakes(String uri, boolean normalised) {
    for (String field : URI_FIELDS) {
      String kind = field.split(" ")[0];
      String pointer = field.split(" ")[1];
      if (pointer.equals("/spec/output/path") && uri.startsWith("file:")) {
        continue; // a FineTuneJob's output must be on a claim anyway (a rule of its own)
      }
      ObjectNode object = valid(kind);
      ObjectNode parent = (ObjectNode) object.at(pointer.substring(0, pointer.lastIndexOf('/')));
      parent.put(pointer.substring(pointer.lastIndexOf('/') + 1), uri);
      String path = pointer.substring(1).replace("/0/", "[0].").replace('/', '.');
      List<String> messages =
          CustomResourceValidator.forKind(kind).validate(object).stream()
              .map(Violation::message)
              .toList();
      if (normalised) {
        assertThat(messages).as("%s = %s", path, uri).isEmpty();
      } else {
        assertThat(messages)
            .as("%s = %s", path, uri)
            .containsExactly(
                path + ": Invalid value: \"" + uri + "\": " + SourceUri.NOT_NORMALISED_MESSAGE);
      }
      Throwable parsed = catchThrowable(() -> SourceUri.parse(path, uri));
      if (normalised) {
        assertThat(parsed).as("SourceUri.parse(%s)", uri).isNull();
      } else {
        assertThat(parsed)
            .as("SourceUri.parse(%s)", uri)
            .hasMessageContaining(SourceUri.NOT_NORMALISED_MESSAGE);
      }
    }
  }

  @Test
  void aCelRuleOnAQuantityRefusesWhatKubernetesRefuses() {
    ObjectNode job = valid("FineTuneJob");
    ((ObjectNode) job.get("spec")).putObject("resources").put("memory", "-8Gi").put("cpu", "1.2.3");
    assertThat(CustomResourceValidator.fineTuneJob().validate(job))
        .extracting(Violation::message)
        .containsExactlyInAnyOrder(
            "spec.resources.memory: Invalid value: \"-8Gi\": must be a quantity greater than zero,"
                + " e.g. 500m, 8, 64Gi",
            "spec.resources.cpu: Invalid value: \"1.2.3\": must be a quantity greater than zero,"
                + " e.g. 500m, 8, 64Gi");
  }

  private static ObjectNode valid(String kind) {
    String json =
        kind.equals("FineTuneJob")
            ? "{\"apiVersion\": \"kubetune.io/v1alpha1\", \"kind\": \"FineTuneJob\", \"metadata\":"
                + " {\"name\": \"job\"}, \"spec\": {\"model\": {\"source\": \"pvc://m/x\"},"
                + " \"datasets\": [{\"source\": \"pvc://d/x.jsonl\"}], \"output\": {\"path\":"
                + " \"pvc://out/x\"}}}"
            : "{\"apiVersion\": \"kubetune.io/v1alpha1\", \"kind\": \"ModelServe\", \"metadata\":"
                + " {\"name\": \"serve\"}, \"spec\": {\"model\": \"pvc://m/x\", \"adapter\":"
                + " \"pvc://m/a\"}}";
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void collect(JsonNode schema, List<String> rules) {
    schema.path("x-kubernetes-validations").forEach(r -> rules.add(r.path("rule").asText()));
    schema.path("properties").forEach(p -> collect(p, rules));
    if (schema.has("items")) {
      collect(schema.get("items"), rules);
    }
    if (schema.path("additionalProperties").isObject()) {
      collect(schema.get("additionalProperties"), rules);
    }
  }
}
