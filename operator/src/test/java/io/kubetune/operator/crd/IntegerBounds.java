package io.kubetune.operator.crd;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounds every {@code integer} of a generated CRD schema to what its Java field holds, so that the
 * API server refuses a value the operator could not read (an {@code Integer} field given 3000000000
 * would otherwise be stored, and fail the operator's informer on every read). The Java type of each
 * schema node is found by walking the custom resource class the way Jackson reads it; a tighter
 * {@code @Min}/{@code @Max} is kept.
 *
 * <p>Long fields are bounded to ±(2^63 - 1024), not to Long's own range: the API server holds
 * bounds as float64, prints each in its shortest decimal form and parses that as an int64 before it
 * compares (kube-openapi's IsValueValidAgainstRange); 2^63 - 1 becomes 2^63 as a float64 and -2^63
 * prints as -9223372036854776000, and both fail to parse, which makes every object invalid. 2^63 -
 * 1024 is the largest float64 below 2^63, and prints as 9223372036854775000.
 */
final class IntegerBounds {
  static final long INT_MIN = Integer.MIN_VALUE;
  static final long INT_MAX = Integer.MAX_VALUE;
  static final long LONG_MAX = (long) Math.nextDown(0x1p63);
  static final long LONG_MIN = -LONG_MAX;

  private static final ObjectMapper JSON = new ObjectMapper();

  private IntegerBounds() {}

  /** Adds the bounds under {@code schema}, the schema of a value of Java type {@code type}. */
  static void apply(JSONSchemaProps schema, Class<?> type) {
    walk(schema, JSON.constructType(type), type.getName());
  }

  private static void walk(JSONSchemaProps schema, JavaType type, String where) {
    if (schema == null) {
      return;
    }
    Class<?> raw = type.getRawClass();
    if ("integer".equals(schema.getType())) {
      if (raw == Integer.class || raw == int.class) {
        clamp(schema, INT_MIN, INT_MAX);
      } else if (raw == Long.class || raw == long.class) {
        clamp(schema, LONG_MIN, LONG_MAX);
      } else {
        throw new IllegalStateException(
            where + ": an integer in the schema, but " + raw + " in Java");
      }
      return;
    }
    if ("array".equals(schema.getType()) && schema.getItems() != null) {
      walk(schema.getItems().getSchema(), type.getContentType(), where + "[]");
      return;
    }
    if (type.isMapLikeType()) {
      if (schema.getAdditionalProperties() != null) {
        walk(schema.getAdditionalProperties().getSchema(), type.getContentType(), where + "{}");
      }
      return;
    }
    if (schema.getProperties() == null) {
      return;
    }
    Map<String, JavaType> properties = properties(type);
    for (Map.Entry<String, JSONSchemaProps> p : schema.getProperties().entrySet()) {
      JavaType propertyType = properties.get(p.getKey());
      if (propertyType != null) {
        walk(p.getValue(), propertyType, where + "." + p.getKey());
      } else if (hasInteger(p.getValue())) {
        throw new IllegalStateException(where + "." + p.getKey() + ": no Java property found");
      }
    }
  }

  /** The JSON properties of a type as Jackson reads them. */
  private static Map<String, JavaType> properties(JavaType type) {
    Map<String, JavaType> out = new LinkedHashMap<>();
    BeanDescription bean = JSON.getSerializationConfig().introspect(type);
    for (BeanPropertyDefinition p : bean.findProperties()) {
      AnnotatedMember member = p.getPrimaryMember();
      if (member == null) {
        continue;
      }
      out.put(p.getName(), p.getPrimaryType());
    }
    return out;
  }

  private static boolean hasInteger(JSONSchemaProps s) {
    if (s == null) {
      return false;
    }
    if ("integer".equals(s.getType())) {
      return true;
    }
    if (s.getProperties() != null
        && s.getProperties().values().stream().anyMatch(IntegerBounds::hasInteger)) {
      return true;
    }
    return s.getItems() != null && hasInteger(s.getItems().getSchema())
        || s.getAdditionalProperties() != null
            && hasInteger(s.getAdditionalProperties().getSchema());
  }

  private static void clamp(JSONSchemaProps s, long min, long max) {
    if (s.getMinimum() == null || s.getMinimum() < min) {
      s.setMinimum((double) min);
    }
    if (s.getMaximum() == null || s.getMaximum() > max) {
      s.setMaximum((double) max);
    }
  }
}
