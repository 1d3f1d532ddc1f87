package io.kubetune.operator.serve;

import static io.kubetune.operator.status.Conditions.of;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.crd.ModelServeStatus;
import io.kubetune.operator.errors.OwnedFailure;
import io.kubetune.operator.events.EventSpec;
import io.kubetune.operator.status.Conditions;
import io.kubetune.operator.status.Kstatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Computes a ModelServe's status: ModelResolved and Ready conditions, the phase from them. */
public final class ModelServeStatuses {
  public static final String MODEL_RESOLVED = "ModelResolved";
  public static final String READY = "Ready";

  private ModelServeStatuses() {}

  public static ModelServeStatus compute(
      ModelServe ms, ModelResolver.Resolution model, Optional<Deployment> deployment, Instant now) {
    return compute(ms, model, deployment, List.of(), now);
  }

  /**
   * @param failures owned objects the API server refused: Ready is False with the first one's
   *     message; the phase is Failed when only a spec change can help ({@link OwnedFailure#fatal})
   */
  public static ModelServeStatus compute(
      ModelServe ms,
      ModelResolver.Resolution model,
      Optional<Deployment> deployment,
      List<OwnedFailure> failures,
      Instant now) {
    ModelServeStatus old = ms.getStatus();
    long generation =
        ms.getMetadata().getGeneration() == null ? 0 : ms.getMetadata().getGeneration();
    List<Condition> desired = new ArrayList<>();
    desired.add(of(MODEL_RESOLVED, model.resolved(), model.reason(), model.message()));
    int ready = deployment.map(Deployment::getStatus).map(st -> st.getReadyReplicas()).orElse(0);
    boolean stuck =
        deployment
            .map(Deployment::getStatus)
            .map(s -> s.getConditions())
            .map(
                cs ->
                    cs.stream()
                        .anyMatch(
                            c ->
                                "Progressing".equals(c.getType())
                                    && "False".equals(c.getStatus())
                                    && "ProgressDeadlineExceeded".equals(c.getReason())))
            .orElse(false);
    Optional<OwnedFailure> refused = failures.stream().findFirst();
    if (!model.resolved()) {
      desired.add(
          of(
              READY,
              false,
              ModelResolver.INVALID_SPEC.equals(model.reason()) ? model.reason() : "NoModel",
              model.message()));
    } else if (refused.isPresent()) {
      desired.add(of(READY, false, refused.get().reason(), refused.get().message()));
    } else if (ready > 0) {
      desired.add(of(READY, true, "ServersReady", ready + " server pod(s) ready"));
    } else if (stuck) {
      desired.add(
          of(READY, false, "ProgressDeadlineExceeded", "the server pods did not become ready"));
    } else {
      desired.add(of(READY, false, "Starting", "waiting for a server pod to become ready"));
    }
    String phase;
    if (Conditions.isTrue(desired, READY)) {
      phase = "Ready";
    } else if (model.failed() || stuck || refused.map(OwnedFailure::fatal).orElse(false)) {
      phase = "Failed";
    } else {
      phase = "Pending";
    }
    // kstatus (Flux): in progress until a server is ready, failed when the model or rollout failed
    Condition cause =
        desired.stream()
            .filter(c -> !Conditions.TRUE.equals(c.getStatus()))
            .findFirst()
            .orElse(desired.get(desired.size() - 1));
    desired.addAll(
        Kstatus.conditions(
            switch (phase) {
              case "Ready" -> Kstatus.State.CURRENT;
              case "Failed" -> Kstatus.State.FAILED;
              default -> Kstatus.State.IN_PROGRESS;
            },
            cause.getReason(),
            cause.getMessage()));
    List<Condition> conditions =
        Conditions.merge(old == null ? null : old.conditions(), desired, generation, now);
    return new ModelServeStatus(
        phase,
        new ServingNames(ms.getMetadata().getName(), ms.getMetadata().getNamespace()).url(),
        ready,
        model.model(),
        conditions,
        generation);
  }

  public static List<EventSpec> events(ModelServeStatus before, ModelServeStatus after) {
    String was = before == null ? null : before.phase();
    List<EventSpec> events = new ArrayList<>();
    String readyReason = Conditions.reason(after.conditions(), READY);
    String readyBefore = before == null ? null : Conditions.reason(before.conditions(), READY);
    boolean refused =
        OwnedFailure.FAILED_CREATE.equals(readyReason)
            || OwnedFailure.FAILED_UPDATE.equals(readyReason);
    if (refused && !readyReason.equals(readyBefore)) {
      events.add(
          EventSpec.warning(
              readyReason,
              Conditions.find(after.conditions(), READY).map(c -> c.getMessage()).orElse("")));
    }
    if ("Ready".equals(after.phase()) && !"Ready".equals(was)) {
      events.add(EventSpec.normal("Serving", "serving " + after.model() + " at " + after.url()));
    }
    if ("Failed".equals(after.phase()) && !"Failed".equals(was) && !refused) {
      if (ModelResolver.INVALID_SPEC.equals(readyReason)) {
        events.add(
            EventSpec.warning(
                ModelResolver.INVALID_SPEC,
                Conditions.find(after.conditions(), READY).map(c -> c.getMessage()).orElse("")));
      } else {
        String why =
            after.conditions().stream()
                .filter(c -> "False".equals(c.getStatus()))
                .map(c -> c.getReason() + ": " + c.getMessage())
                .findFirst()
                .orElse("failed");
        events.add(EventSpec.warning("Failed", why));
      }
    }
    return events;
  }
}
