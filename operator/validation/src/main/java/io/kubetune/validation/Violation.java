package io.kubetune.validation;

import java.util.Optional;

/**
 * One reason the API server refuses an object, as it words it.
 *
 * @param field the field path, e.g. {@code spec.training.learningRate} ({@code <nil>} for the
 *     object itself, as the API server prints it)
 * @param pointer JSON pointer of the offending node in the document as given ("" for the root)
 * @param message the whole error line as kube-apiserver prints it, e.g. {@code
 *     spec.training.learningRate: Invalid value: 2: spec.training.learningRate in body should be
 *     less than or equal to 1}
 * @param unknownField whether this is an unknown field (its key, not its value, is where it is)
 * @param suggestion for an unknown field, the known field it was probably meant to be
 */
public record Violation(
    String field,
    String pointer,
    String message,
    boolean unknownField,
    Optional<String> suggestion) {

  static Violation at(FieldPath path, String message) {
    return new Violation(path.toString(), path.pointer(), message, false, Optional.empty());
  }

  /** The message with the did-you-mean hint of an unknown field, if there is one. */
  public String withHint() {
    return suggestion.map(s -> message + " (did you mean " + s + "?)").orElse(message);
  }

  @Override
  public String toString() {
    return withHint();
  }
}
