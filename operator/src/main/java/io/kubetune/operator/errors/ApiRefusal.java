package io.kubetune.operator.errors;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * What the API server said when it refused a request: its HTTP code and the message it gave (for a
 * user, not a stack trace), and what that means for the operator.
 */
public record ApiRefusal(int code, String reason, String message, boolean namespaceTerminating) {

  /** The refusal in an exception or its causes; empty for anything else (our own bugs). */
  public static Optional<ApiRefusal> of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        return Optional.of(from(k));
      }
    }
    return Optional.empty();
  }

  private static ApiRefusal from(KubernetesClientException e) {
    Status s = e.getStatus();
    String message = s != null && s.getMessage() != null ? s.getMessage() : e.getMessage();
    String reason = s == null ? null : s.getReason();
    boolean terminating =
        (s != null
                && s.getDetails() != null
                && s.getDetails().getCauses() != null
                && s.getDetails().getCauses().stream()
                    .anyMatch(c -> "NamespaceTerminating".equals(c.getReason())))
            || (message != null && message.contains("because it is being terminated"));
    return new ApiRefusal(e.getCode(), reason, message, terminating);
  }

  /**
   * The request cannot succeed as it is: the object is invalid (422) or malformed (400), whether a
   * schema, a validation rule or an admission policy says so. Only a change of what the operator
   * builds, that is of the spec, helps; retrying does not.
   */
  public boolean permanent() {
    return code == 400 || code == 422;
  }

  /** The object or its namespace is gone or going: there is nothing left to do. */
  public boolean gone() {
    return namespaceTerminating || code == 404 || code == 410;
  }
}
