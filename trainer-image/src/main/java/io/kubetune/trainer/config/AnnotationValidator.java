package io.kubetune.trainer.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.kubetune.api.SourceUri;
import java.lang.annotation.Annotation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a parsed YAML/JSON tree against the spec records, with the Fabric8 annotations the CRD is
 * generated from ({@code @Required}, {@code @Min}, {@code @Max} with {@code inclusive},
 * {@code @Pattern}, {@code @Size}), read by reflection from the record components, so each rule is
 * written once for the cluster and the trainer. Fields that carry {@link SourceUri#PATTERN} are
 * also parsed with {@link SourceUri#parse}, which refuses path traversal too (the CRD does that
 * with a CEL rule). Unknown fields are problems, with a did-you-mean.
 *
 * <p>Not evaluated: {@code @ValidationRule} CEL expressions other than the traversal rule (e.g.
 * MethodSpec's "method.lora must not be set when method.type is full").
 */
final class AnnotationValidator {
  private AnnotationValidator() {}

  /** All problems of {@code node} read as {@code type}; field paths start with {@code prefix}. */
  static List<Problem> validate(JsonNode node, Class<?> type, String prefix, String pointer) {
    List<Problem> problems = new ArrayList<>();
    walkRecord(node, type, prefix, pointer, problems);
    return problems;
  }

  private static void walkRecord(
      JsonNode node, Class<?> type, String path, String pointer, List<Problem> out) {
    if (!node.isObject()) {
      out.add(new Problem(pointer, path, "must be a mapping, got " + kind(node), false));
      return;
    }
    Map<String, RecordComponent> components = new LinkedHashMap<>();
    for (RecordComponent c : type.getRecordComponents()) {
      components.put(c.getName(), c);
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!components.containsKey(name)) {
        String hint =
            Suggestions.closest(name, components.keySet())
                .map(s -> " (did you mean " + s + "?)")
                .orElse("");
        out.add(
            new Problem(
                pointer + "/" + escape(name), join(path, name), "unknown field" + hint, true));
      }
    }
    for (RecordComponent c : components.values()) {
      String field = join(path, c.getName());
      String childPointer = pointer + "/" + escape(c.getName());
      JsonNode value = node.get(c.getName());
      if (value == null || value.isNull()) {
        if (annotation(c, Required.class) != null) {
          out.add(new Problem(pointer, field, missingMessage(c), false));
        }
        continue;
      }
      walkValue(value, c.getGenericType(), c, field, childPointer, out);
    }
  }

  private static void walkValue(
      JsonNode value,
      Type type,
      RecordComponent c,
      String field,
      String pointer,
      List<Problem> out) {
    Class<?> raw = raw(type);
    int before = out.size();
    checkType(value, raw, field, pointer, out);
    if (out.size() > before) {
      return; // bounds make no sense on a value of the wrong type
    }
    if (c != null) {
      checkAnnotations(value, c, field, pointer, out);
    }
    if (raw.isRecord()) {
      walkRecord(value, raw, field, pointer, out);
    } else if (List.class.isAssignableFrom(raw) && type instanceof ParameterizedType p) {
      Type element = p.getActualTypeArguments()[0];
      for (int i = 0; i < value.size(); i++) {
        walkValue(value.get(i), element, null, field + "[" + i + "]", pointer + "/" + i, out);
      }
    }
  }

  private static void checkType(
      JsonNode value, Class<?> raw, String field, String pointer, List<Problem> out) {
    String expected = null;
    if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
      boolean fits =
          raw == Integer.class || raw == int.class
              ? value.canConvertToInt()
              : value.canConvertToLong();
      if (!value.isIntegralNumber() || !fits) {
        expected = "an integer";
      }
    } else if (raw == Double.class || raw == double.class || raw == Float.class) {
      if (!value.isNumber()) {
        expected = "a number";
      }
    } else if (raw == Boolean.class || raw == boolean.class) {
      if (!value.isBoolean()) {
        expected = "true or false";
      }
    } else if (raw == String.class) {
      if (!value.isValueNode()) {
        expected = "a string";
      }
    } else if (raw.isEnum()) {
      List<String> names = enumNames(raw);
      if (!value.isTextual() || !names.contains(value.asText())) {
        out.add(
            new Problem(
                pointer,
                field,
                "must be one of " + String.join(", ", names) + ", got " + shown(value),
                false));
      }
      return;
    } else if (List.class.isAssignableFrom(raw)) {
      if (!value.isArray()) {
        expected = "a list";
      }
    } else if (raw.isRecord() || Map.class.isAssignableFrom(raw)) {
      if (!value.isObject()) {
        expected = "a mapping";
      }
    }
    if (expected != null) {
      out.add(new Problem(pointer, field, "must be " + expected + ", got " + shown(value), false));
    }
  }

  private static void checkAnnotations(
      JsonNode value, RecordComponent c, String field, String pointer, List<Problem> out) {
    Min min = annotation(c, Min.class);
    if (min != null && value.isNumber()) {
      double v = value.asDouble();
      if (min.inclusive() ? v < min.value() : v <= min.value()) {
        out.add(
            new Problem(
                pointer,
                field,
                "must be "
                    + (min.inclusive() ? ">= " : "> ")
                    + number(min.value())
                    + ", got "
                    + value.asText(),
                false));
      }
    }
    Max max = annotation(c, Max.class);
    if (max != null && value.isNumber()) {
      double v = value.asDouble();
      if (max.inclusive() ? v > max.value() : v >= max.value()) {
        out.add(
            new Problem(
                pointer,
                field,
                "must be "
                    + (max.inclusive() ? "<= " : "< ")
                    + number(max.value())
                    + ", got "
                    + value.asText(),
                false));
      }
    }
    Pattern pattern = annotation(c, Pattern.class);
    if (pattern != null && value.isValueNode()) {
      if (pattern.value().equals(SourceUri.PATTERN)) {
        try {
          SourceUri.parse(field, value.asText());
        } catch (IllegalArgumentException e) {
          // SourceUri's message names the field itself
          String message = e.getMessage().substring(e.getMessage().indexOf(": ") + 2);
          out.add(new Problem(pointer, field, message, false));
        }
      } else if (!java.util.regex.Pattern.compile(pattern.value()).matcher(value.asText()).find()) {
        out.add(
            new Problem(
                pointer, field, "must match " + pattern.value() + ", got " + shown(value), false));
      }
    }
    Size size = annotation(c, Size.class);
    if (size != null) {
      long n = value.isArray() || value.isObject() ? value.size() : value.asText().length();
      if (n < size.min()) {
        out.add(
            new Problem(
                pointer,
                field,
                size.min() == 1 && n == 0 && value.isArray()
                    ? "at least one " + singular(c.getName()) + " is required"
                    : "must have at least " + size.min() + " item(s), got " + n,
                false));
      } else if (n > size.max()) {
        out.add(
            new Problem(
                pointer, field, "must have at most " + size.max() + " item(s), got " + n, false));
      }
    }
  }

  private static String missingMessage(RecordComponent c) {
    Size size = annotation(c, Size.class);
    if (List.class.isAssignableFrom(c.getType()) && size != null && size.min() >= 1) {
      return "at least one " + singular(c.getName()) + " is required";
    }
    return "is required";
  }

  /** The annotation on the component, or on the field / accessor it was propagated to. */
  static <A extends Annotation> A annotation(RecordComponent c, Class<A> type) {
    A a = c.getAnnotation(type);
    if (a == null) {
      a = c.getAccessor().getAnnotation(type);
    }
    if (a == null) {
      try {
        a = c.getDeclaringRecord().getDeclaredField(c.getName()).getAnnotation(type);
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException(e);
      }
    }
    return a;
  }

  /** The JSON names of an enum's constants (their @JsonProperty, else the lower-case name). */
  static List<String> enumNames(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Object constant : type.getEnumConstants()) {
      String name = ((Enum<?>) constant).name();
      try {
        JsonProperty p = type.getField(name).getAnnotation(JsonProperty.class);
        names.add(p != null ? p.value() : name.toLowerCase(Locale.ROOT));
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException(e);
      }
    }
    return names;
  }

  private static Class<?> raw(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static String singular(String name) {
    return name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
  }

  private static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private static String shown(JsonNode v) {
    return v.isTextual() ? "'" + v.asText() + "'" : v.isValueNode() ? v.asText() : kind(v);
  }

  private static String kind(JsonNode v) {
    return v.isArray() ? "a list" : v.isObject() ? "a mapping" : v.isNull() ? "null" : "a value";
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
