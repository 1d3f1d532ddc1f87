package io.kubetune.operator.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The OpenAPI part of a CRD's structural schema (types, required, enums, bounds, patterns, sizes,
 * unknown fields), with errors phrased as kube-apiserver phrases them. CEL rules are not evaluated
 * here: the real API server tier does that.
 */
final class SchemaValidator {
  private SchemaValidator() {}

  static List<String> validate(JSONSchemaProps schema, JsonNode object) {
    List<String> errors = new ArrayList<>();
    for (String top : List.of("spec", "status")) {
      if (object.has(top) && schema.getProperties().containsKey(top)) {
        check(schema.getProperties().get(top), object.get(top), top, errors);
      }
    }
    return errors;
  }

  private static void check(JSONSchemaProps s, JsonNode v, String path, List<String> errors) {
    if (Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields()) && s.getType() == null) {
      return;
    }
    String type = s.getType();
    if ("object".equals(type)) {
      if (!v.isObject()) {
        errors.add(
            path
                + ": Invalid value: \""
                + kind(v)
                + "\": "
                + path
                + " in body must be of type object: \""
                + kind(v)
                + "\"");
        return;
      }
      for (String req : s.getRequired() == null ? List.<String>of() : s.getRequired()) {
        if (!v.has(req)) {
          errors.add(path + "." + req + ": Required value");
        }
      }
      Map<String, JSONSchemaProps> props = s.getProperties();
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        var field = it.next();
        String child = path + "." + field.getKey();
        if (props != null && props.containsKey(field.getKey())) {
          check(props.get(field.getKey()), field.getValue(), child, errors);
        } else if (s.getAdditionalProperties() != null
            && s.getAdditionalProperties().getSchema() != null) {
          check(s.getAdditionalProperties().getSchema(), field.getValue(), child, errors);
        } else if (!Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields())) {
          errors.add("unknown field \"" + child + "\"");
        }
      }
    } else if ("array".equals(type)) {
      if (!v.isArray()) {
        errors.add(
            path
                + ": Invalid value: \""
                + kind(v)
                + "\": "
                + path
                + " in body must be of type array: \""
                + kind(v)
                + "\"");
        return;
      }
      if (s.getMinItems() != null && v.size() < s.getMinItems()) {
        errors.add(
            path
                + ": Invalid value: "
                + v.size()
                + ": "
                + path
                + " in body should have at least "
                + s.getMinItems()
                + " items");
      }
      if (s.getMaxItems() != null && v.size() > s.getMaxItems()) {
        errors.add(
            path + ": Too many: " + v.size() + ": must have at most " + s.getMaxItems() + " items");
      }
      for (int i = 0; i < v.size(); i++) {
        check(s.getItems().getSchema(), v.get(i), path + "[" + i + "]", errors);
      }
    } else if ("string".equals(type)) {
      if (!v.isTextual()) {
        errors.add(
            path
                + ": Invalid value: \""
                + kind(v)
                + "\": "
                + path
                + " in body must be of type string: \""
                + kind(v)
                + "\"");
        return;
      }
      String text = v.asText();
      if (s.getEnum() != null && !s.getEnum().isEmpty()) {
        List<String> allowed = s.getEnum().stream().map(JsonNode::asText).toList();
        if (!allowed.contains(text)) {
          errors.add(
              path
                  + ": Unsupported value: \""
                  + text
                  + "\": supported values: "
                  + allowed.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(", ")));
        }
      }
      if (s.getPattern() != null && !Pattern.compile(s.getPattern()).matcher(text).find()) {
        errors.add(
            path
                + ": Invalid value: \""
                + text
                + "\": "
                + path
                + " in body should match '"
                + s.getPattern()
                + "'");
      }
      if (s.getMaxLength() != null && text.length() > s.getMaxLength()) {
        errors.add(path + ": Too long: may not be more than " + s.getMaxLength() + " bytes");
      }
      if (s.getMinLength() != null && text.length() < s.getMinLength()) {
        errors.add(
            path
                + ": Invalid value: \""
                + text
                + "\": "
                + path
                + " in body should be at least "
                + s.getMinLength()
                + " chars long");
      }
    } else if ("integer".equals(type) || "number".equals(type)) {
      if (!v.isNumber() || ("integer".equals(type) && !v.canConvertToLong())) {
        errors.add(
            path
                + ": Invalid value: \""
                + kind(v)
                + "\": "
                + path
                + " in body must be of type "
                + type
                + ": \""
                + kind(v)
                + "\"");
        return;
      }
      BigDecimal n = v.decimalValue();
      String shown = plain(n);
      if (s.getMaximum() != null) {
        BigDecimal max = BigDecimal.valueOf(s.getMaximum());
        boolean exclusive = Boolean.TRUE.equals(s.getExclusiveMaximum());
        if (exclusive ? n.compareTo(max) >= 0 : n.compareTo(max) > 0) {
          errors.add(
              path
                  + ": Invalid value: "
                  + shown
                  + ": "
                  + path
                  + " in body should be less than "
                  + (exclusive ? "" : "or equal to ")
                  + plain(max));
        }
      }
      if (s.getMinimum() != null) {
        BigDecimal min = BigDecimal.valueOf(s.getMinimum());
        boolean exclusive = Boolean.TRUE.equals(s.getExclusiveMinimum());
        if (exclusive ? n.compareTo(min) <= 0 : n.compareTo(min) < 0) {
          errors.add(
              path
                  + ": Invalid value: "
                  + shown
                  + ": "
                  + path
                  + " in body should be greater than "
                  + (exclusive ? "" : "or equal to ")
                  + plain(min));
        }
      }
    } else if ("boolean".equals(type) && !v.isBoolean()) {
      errors.add(
          path
              + ": Invalid value: \""
              + kind(v)
              + "\": "
              + path
              + " in body must be of type boolean: \""
              + kind(v)
              + "\"");
    }
  }

  private static String plain(BigDecimal n) {
    BigDecimal stripped = n.stripTrailingZeros();
    return stripped.scale() <= 0 ? stripped.toBigInteger().toString() : stripped.toPlainString();
  }

  private static String kind(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isNumber()) {
      return v.isIntegralNumber() ? "integer" : "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    return v.isArray() ? "array" : v.isObject() ? "object" : "null";
  }
}
