package io.kubetune.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * metav1.Condition helpers. lastTransitionTime changes only when a condition's status or reason
 * changes, so that an unchanged status compares equal and is not written again.
 */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";

  private Conditions() {}

  public static Condition of(String type, boolean status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? TRUE : FALSE)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  /** Stamps observedGeneration and carries lastTransitionTime over from the old conditions. */
  public static List<Condition> merge(
      List<Condition> old, List<Condition> desired, long generation, Instant now) {
    List<Condition> merged = new ArrayList<>();
    for (Condition d : desired) {
      Optional<Condition> before = find(old, d.getType());
      boolean unchanged =
          before.isPresent()
              && Objects.equals(before.get().getStatus(), d.getStatus())
              && Objects.equals(before.get().getReason(), d.getReason())
              && before.get().getLastTransitionTime() != null;
      merged.add(
          new ConditionBuilder(d)
              .withObservedGeneration(generation)
              .withLastTransitionTime(
                  unchanged ? before.get().getLastTransitionTime() : now.toString())
              .build());
    }
    return merged;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  public static String reason(List<Condition> conditions, String type) {
    return find(conditions, type).map(Condition::getReason).orElse(null);
  }
}
