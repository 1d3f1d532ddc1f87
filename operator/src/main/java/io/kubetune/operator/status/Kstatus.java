package io.kubetune.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * The two conditions that kstatus (sigs.k8s.io/cli-utils, what Flux's health checks and {@code
 * kubectl wait} conventions read) looks for on a custom resource, both of "abnormal-true" polarity:
 * {@code Reconciling} True while the object is still on its way (a FineTuneJob that trains, a
 * ModelServe whose servers are not ready), {@code Stalled} True when it failed and waits for a
 * change of the spec. Without them kstatus calls any object whose observedGeneration is current
 * "Current", a training job that has only just started included.
 */
public final class Kstatus {
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  private Kstatus() {}

  /**
   * @param state where the object is
   * @param reason the reason of the condition behind that state (the phase's cause)
   * @param message its message
   */
  public static List<Condition> conditions(State state, String reason, String message) {
    return List.of(
        state == State.IN_PROGRESS
            ? Conditions.of(RECONCILING, true, reason, message)
            : Conditions.of(RECONCILING, false, "Reconciled", "nothing is in progress"),
        state == State.FAILED
            ? Conditions.of(STALLED, true, reason, message)
            : Conditions.of(STALLED, false, "NotStalled", "no failure"));
  }

  /** kstatus' InProgress, Failed and Current. */
  public enum State {
    IN_PROGRESS,
    FAILED,
    CURRENT
  }
}
