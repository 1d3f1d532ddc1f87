package io.kubetune.operator.finetune;

import static io.kubetune.operator.finetune.FineTuneJobStatuses.CREATED;
import static io.kubetune.operator.finetune.FineTuneJobStatuses.FAILED;
import static io.kubetune.operator.finetune.FineTuneJobStatuses.RUNNING;
import static io.kubetune.operator.finetune.FineTuneJobStatuses.SERVING;
import static io.kubetune.operator.finetune.FineTuneJobStatuses.SUCCEEDED;
import static io.kubetune.operator.finetune.FineTuneJobStatuses.SUSPENDED;

import io.fabric8.kubernetes.api.model.Condition;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.crd.ResourcesSpec;
import io.kubetune.operator.errors.OwnedFailure;
import io.kubetune.operator.events.EventSpec;
import io.kubetune.operator.pods.PodTrouble;
import io.kubetune.operator.status.Conditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The Events a user must see, from the difference between two statuses. */
public final class TransitionEvents {
  private TransitionEvents() {}

  public static List<EventSpec> between(
      FineTuneJob job, FineTuneJobStatus before, FineTuneJobStatus after) {
    List<Condition> old = before == null ? List.of() : before.conditions();
    List<Condition> now = after.conditions();
    List<EventSpec> events = new ArrayList<>();
    ResourcesSpec res =
        job.getSpec() == null ? ResourcesSpec.defaults() : job.getSpec().effectiveResources();
    int nodes = res.effectiveNodes();
    int gpus = res.effectiveGpus();
    String from = after.lastCheckpoint() == null ? "the start" : after.lastCheckpoint();

    if (became(old, now, FAILED) && "InvalidSpec".equals(Conditions.reason(now, FAILED))) {
      events.add(EventSpec.warning("InvalidSpec", message(now, FAILED)));
      return events;
    }
    if (becameReason(old, now, CREATED, OwnedFailure.FAILED_CREATE, OwnedFailure.FAILED_UPDATE)) {
      events.add(EventSpec.warning(Conditions.reason(now, CREATED), message(now, CREATED)));
    }
    if (becameReason(old, now, RUNNING, PodTrouble.REASONS.toArray(String[]::new))) {
      events.add(EventSpec.warning(Conditions.reason(now, RUNNING), message(now, RUNNING)));
    }
    if (became(old, now, CREATED)) {
      events.add(
          EventSpec.normal(
              "Created",
              "created training Job "
                  + job.getMetadata().getName()
                  + ": "
                  + nodes
                  + " pod(s), "
                  + gpus
                  + " GPU(s) each"));
    }
    if (Conditions.isTrue(old, FAILED) && !Conditions.isTrue(now, FAILED)) {
      events.add(
          EventSpec.normal(
              "Retrying",
              "the spec changed after the failure: a new training Job resumes from " + from));
    }
    if (became(old, now, SUSPENDED)) {
      events.add(EventSpec.normal("Suspended", "pods removed; checkpoints kept"));
    }
    if (Conditions.isTrue(old, SUSPENDED)
        && !Conditions.isTrue(now, SUSPENDED)
        && !Conditions.isTrue(now, FAILED)
        && !Conditions.isTrue(now, SUCCEEDED)) {
      events.add(EventSpec.normal("Resumed", "resumed; training continues from " + from));
    }
    if (became(old, now, RUNNING) && !"Exporting".equals(Conditions.reason(now, RUNNING))) {
      events.add(EventSpec.normal("Started", "training started on " + nodes + " node(s)"));
    }
    int restartsBefore = before == null || before.restarts() == null ? 0 : before.restarts();
    int restartsNow = after.restarts() == null ? 0 : after.restarts();
    if (restartsNow > restartsBefore && !Conditions.isTrue(now, FAILED)) {
      events.add(
          EventSpec.warning(
              "Restarted",
              "a trainer pod failed ("
                  + restartsNow
                  + " failure(s) so far); it is replaced and training resumes from "
                  + from));
    }
    if (!"Exporting".equals(Conditions.reason(old, RUNNING))
        && "Exporting".equals(Conditions.reason(now, RUNNING))
        && Conditions.isTrue(now, RUNNING)) {
      events.add(EventSpec.normal("Exporting", "training done; exporting the model"));
    }
    if (became(old, now, SUCCEEDED)) {
      events.add(EventSpec.normal("Exported", message(now, SUCCEEDED)));
    }
    String failure = Conditions.reason(now, FAILED);
    boolean announced =
        OwnedFailure.FAILED_CREATE.equals(failure) || OwnedFailure.FAILED_UPDATE.equals(failure);
    if (became(old, now, FAILED) && !announced) {
      events.add(
          EventSpec.warning(
              "Failed", Conditions.reason(now, FAILED) + ": " + message(now, FAILED)));
    }
    if (became(old, now, SERVING)) {
      events.add(EventSpec.normal("Serving", message(now, SERVING)));
    }
    return events;
  }

  /** The condition's reason changed to one of these. */
  private static boolean becameReason(
      List<Condition> old, List<Condition> now, String type, String... reasons) {
    String reason = Conditions.reason(now, type);
    return reason != null
        && List.of(reasons).contains(reason)
        && !reason.equals(Conditions.reason(old, type));
  }

  private static boolean became(List<Condition> old, List<Condition> now, String type) {
    return Conditions.isTrue(now, type) && !Conditions.isTrue(old, type);
  }

  private static String message(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type)
        .map(Condition::getMessage)
        .map(Objects::toString)
        .orElse("");
  }
}
