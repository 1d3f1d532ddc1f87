package io.kubetune.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubetune.api.TrainingJobSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a FineTuneJob or ModelServe as kube-apiserver checks it against the installed CRD (the
 * generated {@code crds/*.yml}, packed into this jar at build time), in its order and with its
 * messages: unknown fields first (as {@code kubectl}'s strict field validation reports them; when
 * there is one, that is all the API server says), then the OpenAPI schema, then the CEL rules. As
 * there, the CEL rules are not evaluated when the schema check found a missing field, a wrong type,
 * an unsupported value or something too long or too many: the object may not have the shape the
 * rules read.
 *
 * <p>Not checked (the API server checks them, the trainer has no use for them): the metadata beyond
 * the presence of a name, and the contents of Kubernetes types such as tolerations beyond their
 * schema.
 */
public final class CustomResourceValidator {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, String> FILES =
      Map.of(
          "FineTuneJob", "finetunejobs.kubetune.io-v1.yml",
          "ModelServe", "modelserves.kubetune.io-v1.yml");
  private static final Map<String, CustomResourceValidator> BY_KIND =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final String UNCHECKED =
      "<nil>: Invalid value: null: some validation rules were not checked because the object was"
          + " invalid; correct the existing errors to complete validation";

  private final JsonNode schema;
  private final boolean resourceRoot;
  private final FieldPath at;
  private final OpenApiCheck openApi;
  private final CelCheck cel;

  private CustomResourceValidator(JsonNode schema, boolean resourceRoot, FieldPath at) {
    this.schema = schema;
    this.resourceRoot = resourceRoot;
    this.at = at;
    this.openApi = new OpenApiCheck(schema);
    this.cel = new CelCheck(schema, resourceRoot);
  }

  public static CustomResourceValidator fineTuneJob() {
    return forKind("FineTuneJob");
  }

  public static CustomResourceValidator modelServe() {
    return forKind("ModelServe");
  }

  /**
   * @throws IllegalArgumentException for a kind that is not one of ours
   */
  public static CustomResourceValidator forKind(String kind) {
    if (!FILES.containsKey(kind)) {
      throw new IllegalArgumentException("not a kubetune kind: " + kind);
    }
    return BY_KIND.computeIfAbsent(
        kind, k -> new CustomResourceValidator(openApiV3Schema(k), true, FieldPath.root()));
  }

  /**
   * The training part of a FineTuneJob's spec, as {@code kubetune train -f job.yaml} reads it: the
   * spec's schema without the cluster-only fields ({@link TrainingJobSpec#CLUSTER_ONLY_FIELDS}) and
   * without the rules on the spec object itself, which are about running on a cluster (storage or
   * output, output on a claim). Field paths start at the spec (training.epochs).
   */
  public static CustomResourceValidator trainingSpec() {
    return BY_KIND.computeIfAbsent(
        "training",
        k -> {
          ObjectNode spec = openApiV3Schema("FineTuneJob").get("properties").get("spec").deepCopy();
          ((ObjectNode) spec.get("properties")).remove(TrainingJobSpec.CLUSTER_ONLY_FIELDS);
          spec.remove("x-kubernetes-validations");
          return new CustomResourceValidator(spec, false, FieldPath.root());
        });
  }

  /** The CRD's openAPIV3Schema of a kind, as generated. */
  public static ObjectNode openApiV3Schema(String kind) {
    String file = "crds/" + FILES.get(kind);
    try (InputStream in = CustomResourceValidator.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("no " + file + " on the classpath");
      }
      JsonNode crd = YAML.readTree(in);
      return (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Why the API server refuses to create {@code object}; empty when it accepts it. */
  public List<Violation> validate(JsonNode object) {
    return validate(null, object);
  }

  /**
   * Why the API server refuses to update {@code old} to {@code object}; transition rules (those
   * reading oldSelf) are evaluated too. {@code old} null means a create.
   */
  public List<Violation> validateUpdate(JsonNode old, JsonNode object) {
    return validate(old, object);
  }

  private List<Violation> validate(JsonNode old, JsonNode object) {
    List<Violation> out = new ArrayList<>();
    JsonNode input = object;
    JsonNode previous = old;
    if (resourceRoot && object.isObject()) {
      // the status subresource: a create drops the status, an update keeps the stored one
      ObjectNode copy = ((ObjectNode) object).deepCopy();
      copy.remove("status");
      if (old != null && old.has("status")) {
        copy.set("status", old.get("status"));
      }
      input = copy;
      if (!object.path("metadata").path("name").isTextual()
          && !object.path("metadata").path("generateName").isTextual()) {
        out.add(
            Violation.at(
                FieldPath.of("metadata", "name"),
                "metadata.name: Required value: name or generateName is required"));
      }
    }
    JsonNode value = normalize(input, out);
    if (!out.isEmpty()) {
      return out; // strict decoding: an unknown field (or no name) stops the request there
    }
    if (previous != null) {
      previous = normalize(previous, new ArrayList<>());
    }
    List<Violation> openApiFailures = openApi.check(value, at);
    out.addAll(openApiFailures);
    if (openApiFailures.stream().anyMatch(CustomResourceValidator::blocksRules)) {
      out.add(Violation.at(FieldPath.root(), UNCHECKED));
    } else {
      out.addAll(cel.check(value, previous, at));
    }
    return out;
  }

  /** The object as stored; the API server checks a resource's own fields itself. */
  private JsonNode normalize(JsonNode object, List<Violation> unknown) {
    if (!resourceRoot || !object.isObject()) {
      return Normalizer.normalize(object, schema, at, unknown);
    }
    ObjectNode rest = ((ObjectNode) object).deepCopy();
    ObjectNode own = JsonNodeFactory.instance.objectNode();
    for (String field : List.of("apiVersion", "kind", "metadata")) {
      JsonNode v = rest.remove(field);
      if (v != null) {
        own.set(field, v);
      }
    }
    ObjectNode normalized = (ObjectNode) Normalizer.normalize(rest, schema, at, unknown);
    normalized.setAll(own);
    return normalized;
  }

  /** The API server's hasBlockingErr: failures after which the rules are not evaluated. */
  private static boolean blocksRules(Violation v) {
    String body = v.message().substring(v.field().length() + 2);
    return body.startsWith("Required value")
        || body.startsWith("Unsupported value")
        || body.startsWith("Too long")
        || body.startsWith("Too many")
        || body.matches("Invalid value: \"[a-z]+\": .* must be of type .*");
  }
}
