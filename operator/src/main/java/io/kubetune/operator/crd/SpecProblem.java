package io.kubetune.operator.crd;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * Why a custom resource's spec could not be read ({@link Tolerant} left it null): it is missing, or
 * a value does not fit its Java type. The answer names the field, e.g. {@code
 * spec.training.maxSteps: Numeric value (3000000000) out of range of int}, so that the user can fix
 * it from the resource's status.
 */
public final class SpecProblem {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private SpecProblem() {}

  /**
   * @param rawSpec the spec as the API server stores it (maps, lists, numbers, strings), or null
   * @param type the spec's Java type
   * @return the problem, or empty when the spec reads (it was fixed in the meantime)
   */
  public static Optional<String> of(Object rawSpec, Class<?> type) {
    if (rawSpec == null) {
      return Optional.of("spec: must be set");
    }
    try {
      JSON.convertValue(rawSpec, type);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(describe(e.getCause() != null ? e.getCause() : e));
    }
  }

  static String describe(Throwable e) {
    StringBuilder field = new StringBuilder("spec");
    String reason = e.getMessage();
    if (e instanceof DatabindException d && d instanceof JsonMappingException m) {
      for (JsonMappingException.Reference ref : m.getPath()) {
        if (ref.getFieldName() != null) {
          field.append('.').append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          field.append('[').append(ref.getIndex()).append(']');
        }
      }
      reason = m.getOriginalMessage();
    } else if (e instanceof JacksonException j) {
      reason = j.getOriginalMessage();
    }
    return field + ": cannot be read by the operator: " + firstLine(reason);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid value";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
