package io.kubetune.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code x-kubernetes-validations} rules of a structural schema, evaluated where the API server
 * evaluates them: at every node that has rules and a value, with {@code self} the value typed by
 * the schema; transition rules (those that read {@code oldSelf}) only on an update, where the old
 * object has a value at the same place (lists are not correlated: our rules sit on objects). The
 * failure is worded as the API server words it: the rule's message at the node's path (plus the
 * rule's fieldPath), with the rule's reason.
 */
final class CelCheck {
  private final JsonNode structural;
  private final boolean resourceRoot;

  CelCheck(JsonNode structural, boolean resourceRoot) {
    this.structural = structural;
    this.resourceRoot = resourceRoot;
  }

  List<Violation> check(JsonNode value, JsonNode old, FieldPath at) {
    List<Violation> out = new ArrayList<>();
    walk(structural, value, old, at, resourceRoot, out);
    return out;
  }

  private static void walk(
      JsonNode schema,
      JsonNode value,
      JsonNode old,
      FieldPath path,
      boolean root,
      List<Violation> out) {
    if (schema == null || value == null || value.isNull()) {
      return;
    }
    List<JsonNode> rules = Schemas.rules(schema);
    if (!rules.isEmpty()) {
      Object self = root ? CelValues.root(value, schema) : CelValues.of(value, schema);
      Object oldSelf =
          old == null ? null : root ? CelValues.root(old, schema) : CelValues.of(old, schema);
      for (JsonNode rule : rules) {
        evaluate(rule, schema, value, self, oldSelf, path, out);
      }
    }
    if (value.isObject()) {
      boolean map = Schemas.isMap(schema);
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (root && "metadata".equals(e.getKey())) {
          continue;
        }
        JsonNode oldChild = old == null ? null : old.get(e.getKey());
        walk(
            Schemas.field(schema, e.getKey()),
            e.getValue(),
            oldChild,
            map ? path.key(e.getKey()) : path.child(e.getKey()),
            false,
            out);
      }
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        walk(Schemas.items(schema), value.get(i), null, path.index(i), false, out);
      }
    }
  }

  private static void evaluate(
      JsonNode rule,
      JsonNode schema,
      JsonNode value,
      Object self,
      Object oldSelf,
      FieldPath path,
      List<Violation> out) {
    String expression = rule.path("rule").asText();
    boolean transition = expression.contains("oldSelf");
    if (transition && oldSelf == null) {
      return;
    }
    String message = message(rule);
    Map<String, Object> vars = new HashMap<>();
    vars.put("self", self);
    if (transition) {
      vars.put("oldSelf", oldSelf);
    }
    Object result;
    try {
      result = KubernetesCel.program(expression).eval(vars);
    } catch (CelEvaluationException e) {
      out.add(
          Violation.at(
              path,
              path
                  + ": Invalid value: "
                  + GoFormat.quote(Schemas.type(schema))
                  + ": "
                  + e.getMessage()
                  + " evaluating rule: "
                  + message));
      return;
    }
    if (Boolean.TRUE.equals(result)) {
      return;
    }
    FieldPath at = rule.has("fieldPath") ? path.relative(rule.get("fieldPath").asText()) : path;
    boolean composite = value.isObject() || value.isArray();
    String shown = composite ? "" : GoFormat.value(OpenApiCheck.scalar(value)) + ": ";
    String text =
        switch (rule.path("reason").asText("FieldValueInvalid")) {
          case "FieldValueForbidden" -> at + ": Forbidden: " + message;
          case "FieldValueRequired" -> at + ": Required value: " + message;
          case "FieldValueDuplicate" ->
              at
                  + ": Duplicate value"
                  + (composite ? "" : ": " + shown.substring(0, shown.length() - 2));
          default -> at + ": Invalid value: " + shown + message;
        };
    out.add(Violation.at(at, text));
  }

  private static String message(JsonNode rule) {
    String m = rule.path("message").asText("").strip();
    return m.isEmpty() ? "failed rule: " + rule.path("rule").asText().strip() : m;
  }
}
