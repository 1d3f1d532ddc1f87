package io.kubetune.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reading a CRD's structural schema (an openAPIV3Schema node). */
final class Schemas {
  private Schemas() {}

  static String type(JsonNode schema) {
    return schema.path("type").asText("");
  }

  static boolean intOrString(JsonNode schema) {
    return schema.path("x-kubernetes-int-or-string").asBoolean(false);
  }

  static boolean preservesUnknownFields(JsonNode schema) {
    return schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
  }

  static boolean nullable(JsonNode schema) {
    return schema.path("nullable").asBoolean(false);
  }

  /** The schema of a named property, else of a map value; null when the field is unknown. */
  static JsonNode field(JsonNode schema, String name) {
    JsonNode p = schema.path("properties").get(name);
    if (p != null) {
      return p;
    }
    JsonNode additional = schema.get("additionalProperties");
    return additional != null && additional.isObject() ? additional : null;
  }

  static boolean isMap(JsonNode schema) {
    return !schema.has("properties") && schema.path("additionalProperties").isObject();
  }

  static JsonNode items(JsonNode schema) {
    return schema.get("items");
  }

  static List<String> propertyNames(JsonNode schema) {
    List<String> names = new ArrayList<>();
    schema.path("properties").fieldNames().forEachRemaining(names::add);
    return names;
  }

  static List<JsonNode> rules(JsonNode schema) {
    List<JsonNode> rules = new ArrayList<>();
    schema.path("x-kubernetes-validations").forEach(rules::add);
    return rules;
  }
}
