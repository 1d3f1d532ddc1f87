package io.kubetune.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The object as the API server stores it before it validates it: numbers as {@code kubectl} sends
 * YAML (an integral float such as {@code 2.0} arrives as the integer 2), unknown fields dropped
 * (and reported, as {@code kubectl}'s strict field validation reports them) and null values of
 * non-nullable fields dropped (kube-apiserver prunes them).
 */
final class Normalizer {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final BigDecimal JSON_PLAIN_LIMIT = new BigDecimal("1e21");

  private Normalizer() {}

  /** A normalized copy of {@code value}; unknown fields are added to {@code unknown}. */
  static JsonNode normalize(
      JsonNode value, JsonNode schema, FieldPath path, List<Violation> unknown) {
    if (value.isNumber()) {
      return number(value);
    }
    if (value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      JsonNode items = schema == null ? null : Schemas.items(schema);
      for (int i = 0; i < value.size(); i++) {
        out.add(normalize(value.get(i), items, path.index(i), unknown));
      }
      return out;
    }
    if (!value.isObject()) {
      return value;
    }
    ObjectNode out = NODES.objectNode();
    boolean keepUnknown = schema == null || Schemas.preservesUnknownFields(schema);
    boolean map = schema != null && Schemas.isMap(schema);
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode fieldSchema = schema == null ? null : Schemas.field(schema, name);
      FieldPath child = map ? path.key(name) : path.child(name);
      if (fieldSchema == null && !keepUnknown) {
        unknown.add(
            new Violation(
                child.toString(),
                child.pointer(),
                "unknown field \"" + child + "\"",
                true,
                Suggestions.closest(name, Schemas.propertyNames(schema))));
        continue;
      }
      if (e.getValue().isNull() && fieldSchema != null && !Schemas.nullable(fieldSchema)) {
        continue;
      }
      out.set(name, normalize(e.getValue(), fieldSchema, child, unknown));
    }
    return out;
  }

  /** What arrives after YAML -> JSON -> the API server's decoder: int64 when it can be one. */
  static JsonNode number(JsonNode n) {
    if (n.isIntegralNumber()) {
      return n.canConvertToLong()
          ? NODES.numberNode(n.longValue())
          : NODES.numberNode(n.doubleValue());
    }
    double d = n.doubleValue();
    BigDecimal exact = Double.isFinite(d) ? new BigDecimal(d) : null;
    if (exact != null
        && exact.signum() != 0
        && exact.stripTrailingZeros().scale() <= 0
        && exact.abs().compareTo(JSON_PLAIN_LIMIT) < 0) {
      BigInteger i = exact.toBigIntegerExact();
      if (i.bitLength() < 64) {
        return NODES.numberNode(i.longValue());
      }
    }
    if (d == 0) {
      return NODES.numberNode(0L);
    }
    return NODES.numberNode(d);
  }
}
