package io.kubetune.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAPI part of a structural schema (types, required, enums, bounds, patterns, lengths, item
 * counts), checked by the networknt JSON Schema validator (draft 4: the API server's {@code
 * exclusiveMaximum} is a boolean, as there), each failure worded as kube-apiserver words it (its
 * kube-openapi validator and field errors).
 */
final class OpenApiCheck {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> COPIED =
      Set.of(
          "type",
          "enum",
          "minimum",
          "maximum",
          "exclusiveMinimum",
          "exclusiveMaximum",
          "minLength",
          "maxLength",
          "pattern",
          "minItems",
          "maxItems",
          "minProperties",
          "maxProperties",
          "required",
          "uniqueItems",
          "multipleOf");

  private final JsonNode structural;
  private final Schema schema;

  OpenApiCheck(JsonNode structural) {
    this.structural = structural;
    this.schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
            .getSchema(jsonSchema(structural));
  }

  /** The failures of a normalized value; paths start at {@code at}. */
  List<Violation> check(JsonNode value, FieldPath at) {
    List<Violation> out = new ArrayList<>();
    for (Error e : schema.validate(value)) {
      FieldPath path = at;
      NodePath location = e.getInstanceLocation();
      JsonNode node = value;
      JsonNode s = structural;
      for (int i = 0; i < location.getNameCount(); i++) {
        Object element = location.getElement(i);
        if (element instanceof Integer index) {
          path = path.index(index);
          node = node.path(index);
          s = Schemas.items(s);
        } else {
          String name = String.valueOf(element);
          path = Schemas.isMap(s) ? path.key(name) : path.child(name);
          node = node.path(name);
          s = Schemas.field(s, name);
        }
      }
      if ("required".equals(e.getKeyword())) {
        FieldPath missing = path.child(missingProperty(e));
        out.add(Violation.at(missing, missing + ": Required value"));
      } else {
        out.add(Violation.at(path, message(e.getKeyword(), s, path.toString(), node, e)));
      }
    }
    return out;
  }

  private static String missingProperty(Error e) {
    if (e.getProperty() != null) {
      return e.getProperty();
    }
    Object[] args = e.getArguments();
    return args != null && args.length > 0 ? String.valueOf(args[0]) : "?";
  }

  private static String message(String keyword, JsonNode s, String p, JsonNode value, Error e) {
    String in = p + " in body";
    return switch (keyword) {
      case "type" -> {
        String actual = kind(value);
        String expected = Schemas.intOrString(s) ? "integer,string" : Schemas.type(s);
        yield p
            + ": Invalid value: \""
            + actual
            + "\": "
            + in
            + " must be of type "
            + expected
            + ": \""
            + actual
            + "\"";
      }
      case "enum" -> {
        List<String> allowed = new ArrayList<>();
        s.path("enum")
            .forEach(a -> allowed.add(GoFormat.quote(a.isTextual() ? a.asText() : a.toString())));
        yield p
            + ": Unsupported value: "
            + GoFormat.value(scalar(value))
            + ": supported values: "
            + String.join(", ", allowed);
      }
      case "maximum", "exclusiveMaximum" -> bound(true, s, p, in, value);
      case "minimum", "exclusiveMinimum" -> bound(false, s, p, in, value);
      case "pattern" ->
          p
              + ": Invalid value: "
              + GoFormat.quote(value.asText())
              + ": "
              + in
              + " should match '"
              + s.path("pattern").asText()
              + "'";
      case "maxLength" -> {
        int max = s.path("maxLength").asInt();
        yield p + ": Too long: may not be more than " + max + (max == 1 ? " byte" : " bytes");
      }
      case "minLength" ->
          p
              + ": Invalid value: "
              + GoFormat.quote(value.asText())
              + ": "
              + in
              + " should be at least "
              + s.path("minLength").asInt()
              + " chars long";
      case "maxItems" -> {
        int max = s.path("maxItems").asInt();
        yield p
            + ": Too many: "
            + value.size()
            + ": must have at most "
            + max
            + (max == 1 ? " item" : " items");
      }
      case "minItems" ->
          p
              + ": Invalid value: "
              + value.size()
              + ": "
              + in
              + " should have at least "
              + s.path("minItems").asInt()
              + " items";
      default -> p + ": Invalid value: " + GoFormat.value(scalar(value)) + ": " + e.getMessage();
    };
  }

  /**
   * kube-openapi compares an integer value with the bound as int64 (printing the bound as an
   * integer) and a float value as float64 (printing it as Go's %v does: 1.048576e+06).
   */
  private static String bound(boolean max, JsonNode s, String p, String in, JsonNode value) {
    double limit = s.path(max ? "maximum" : "minimum").asDouble();
    boolean exclusive = s.path(max ? "exclusiveMaximum" : "exclusiveMinimum").asBoolean(false);
    Number shown = value.isIntegralNumber() ? (Number) (long) limit : (Number) limit;
    return p
        + ": Invalid value: "
        + GoFormat.value(scalar(value))
        + ": "
        + in
        + " should be "
        + (max ? "less than " : "greater than ")
        + (exclusive ? "" : "or equal to ")
        + GoFormat.number(shown);
  }

  static Object scalar(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isIntegralNumber()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return v.isNull() ? null : v.toString();
  }

  /** The API server's name for a JSON value's type. */
  static String kind(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    return v.isArray() ? "array" : v.isObject() ? "object" : "null";
  }

  /** The structural schema as a draft-4 JSON Schema: its validation keywords, recursively. */
  static JsonNode jsonSchema(JsonNode s) {
    ObjectNode out = NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (COPIED.contains(e.getKey())) {
        out.set(e.getKey(), e.getValue());
      }
    }
    if (Schemas.intOrString(s)) {
      ArrayNode types = out.putArray("type");
      types.add("integer").add("string");
    }
    if (Schemas.nullable(s) && out.has("type") && out.get("type").isTextual()) {
      ArrayNode types = NODES.arrayNode().add(out.get("type").asText()).add("null");
      out.set("type", types);
    }
    JsonNode properties = s.get("properties");
    if (properties != null) {
      ObjectNode props = out.putObject("properties");
      properties.fields().forEachRemaining(p -> props.set(p.getKey(), jsonSchema(p.getValue())));
    }
    JsonNode additional = s.get("additionalProperties");
    if (additional != null && additional.isObject()) {
      out.set("additionalProperties", jsonSchema(additional));
    }
    JsonNode items = s.get("items");
    if (items != null) {
      out.set("items", jsonSchema(items));
    }
    return out;
  }
}
