package io.kubetune.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A normalized JSON value as CEL sees it in a CRD rule, typed by the schema as the API server types
 * it: {@code integer} an int, {@code number} a double (also when written as 2), objects and maps
 * CEL maps, arrays CEL lists.
 */
final class CelValues {
  private CelValues() {}

  static Object of(JsonNode v, JsonNode schema) {
    if (v == null || v.isNull()) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    String type = schema == null ? "" : Schemas.type(schema);
    if (v.isNumber()) {
      return "number".equals(type) || !v.isIntegralNumber()
          ? (Object) v.doubleValue()
          : v.longValue();
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isArray()) {
      JsonNode items = schema == null ? null : Schemas.items(schema);
      List<Object> list = new ArrayList<>();
      v.forEach(item -> list.add(of(item, items)));
      return list;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      map.put(
          e.getKey(), of(e.getValue(), schema == null ? null : Schemas.field(schema, e.getKey())));
    }
    return map;
  }

  /**
   * The object at a resource's root: apiVersion, kind, spec, status, and of the metadata only name
   * and generateName, as CRD rules see it.
   */
  static Object root(JsonNode v, JsonNode schema) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) of(v, schema);
    JsonNode metadata = v.path("metadata");
    Map<String, Object> meta = new LinkedHashMap<>();
    for (String name : List.of("name", "generateName")) {
      if (metadata.path(name).isTextual()) {
        meta.put(name, metadata.get(name).asText());
      }
    }
    map.put("metadata", meta);
    return map;
  }
}
