package io.kubetune.operator.events;

/** An Event to record about an object: Normal or Warning, a CamelCase reason, a message. */
public record EventSpec(String type, String reason, String message) {
  public static EventSpec normal(String reason, String message) {
    return new EventSpec("Normal", reason, message);
  }

  public static EventSpec warning(String reason, String message) {
    return new EventSpec("Warning", reason, message);
  }
}
