package io.kubetune.operator.errors;

import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An owned object the API server refused to create or update, as the resource's conditions and
 * Events tell it: {@code PersistentVolumeClaim qwen-storage: <the API server's message>}.
 */
public record OwnedFailure(OwnedObject object, ApiRefusal refusal) {
  public static final String FAILED_CREATE = "FailedCreate";
  public static final String FAILED_UPDATE = "FailedUpdate";

  /** An owned object: its kind and name, and whether it exists (so the failure was an update). */
  public record OwnedObject(String kind, String name, boolean exists) {}

  /** FailedCreate or FailedUpdate. */
  public String reason() {
    return object.exists() ? FAILED_UPDATE : FAILED_CREATE;
  }

  /**
   * The resource cannot go on: the API server refuses to create an object its spec makes (invalid
   * or malformed), which only a spec change helps. A refused update of an existing object (a hand
   * edit in the way, a spec change the object cannot take) is shown but does not end the resource.
   */
  public boolean fatal() {
    return refusal.permanent() && !object.exists();
  }

  public String message() {
    return object.kind() + " " + object.name() + ": " + refusal.message();
  }

  /**
   * The failures in an exception from a workflow (one per dependent, by the dependent's name; the
   * SDK wraps them in an OperatorException), or empty when it is not one, or when any of them is
   * not an API server's refusal: a bug of ours, which gets the SDK's usual handling (a stack trace,
   * retries).
   *
   * @param owned the dependent's name in the workflow -> the object it manages
   */
  public static Optional<List<OwnedFailure>> in(Exception e, Map<String, OwnedObject> owned) {
    Throwable t = e;
    while (t != null && !(t instanceof AggregatedOperatorException)) {
      t = t.getCause() == t ? null : t.getCause();
    }
    if (!(t instanceof AggregatedOperatorException aggregated)) {
      return Optional.empty();
    }
    Map<String, Exception> byDependent = new TreeMap<>(aggregated.getAggregatedExceptions());
    List<OwnedFailure> failures = new ArrayList<>();
    for (var entry : byDependent.entrySet()) {
      Optional<ApiRefusal> refusal = ApiRefusal.of(entry.getValue());
      if (refusal.isEmpty()) {
        return Optional.empty();
      }
      OwnedObject object =
          owned.getOrDefault(entry.getKey(), new OwnedObject("object", entry.getKey(), false));
      failures.add(new OwnedFailure(object, refusal.get()));
    }
    return Optional.of(failures);
  }
}
