package io.kubetune.operator.status;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.kubetune.operator.errors.ApiRefusal;
import io.kubetune.operator.errors.OwnedFailure;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** How the reconcilers write a status: only when it changed, also after a refused owned object. */
public final class Reporting {
  /**
   * When a refusal that may pass (a quota, a conflict, an unavailable API server) is tried again.
   * Not the SDK's retries: those give up after a few attempts, after which a freed quota would go
   * unnoticed until the next change of the resource.
   */
  public static final Duration RETRY_REFUSED = Duration.ofSeconds(15);

  private Reporting() {}

  /**
   * A status-only patch of the resource (name, namespace and the new status), or empty when the
   * status did not change.
   */
  public static <S, P extends CustomResource<?, S>> Optional<P> statusPatch(
      P resource, S next, Supplier<P> fresh) {
    if (Objects.equals(resource.getStatus(), next)) {
      return Optional.empty();
    }
    P patch = fresh.get();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .build());
    patch.setStatus(next);
    return Optional.of(patch);
  }

  /**
   * After an exception in a reconciliation: quiet when the resource or its namespace is gone or
   * going; the SDK's usual handling (a stack trace, retries) for anything that is not the API
   * server refusing owned objects; otherwise the status with the refusals, no retry when they are
   * permanent, and another try later when they may pass.
   *
   * @param failures the refused owned objects, or empty when the exception is not such refusals
   * @param next the status that shows them
   */
  public static <S, P extends CustomResource<?, S>> ErrorStatusUpdateControl<P> onError(
      P resource,
      Exception e,
      Optional<List<OwnedFailure>> failures,
      Function<List<OwnedFailure>, S> next,
      Supplier<P> fresh,
      Logger log) {
    String id =
        resource.getKind()
            + " "
            + resource.getMetadata().getNamespace()
            + "/"
            + resource.getMetadata().getName();
    boolean gone =
        failures
            .map(fs -> !fs.isEmpty() && fs.stream().allMatch(f -> f.refusal().gone()))
            .orElseGet(() -> ApiRefusal.of(e).map(ApiRefusal::gone).orElse(false));
    if (gone) {
      log.debugf("%s: its namespace or the object is being deleted: %s", id, e.getMessage());
      return ErrorStatusUpdateControl.<P>noStatusUpdate().withNoRetry();
    }
    if (failures.isEmpty() || failures.get().isEmpty()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    S status = next.apply(failures.get());
    Optional<P> patch = statusPatch(resource, status, fresh);
    if (patch.isPresent()) {
      failures.get().forEach(f -> log.warnf("%s: %s", id, f.message()));
    }
    ErrorStatusUpdateControl<P> control =
        patch
            .map(ErrorStatusUpdateControl::patchStatus)
            .orElseGet(ErrorStatusUpdateControl::noStatusUpdate);
    boolean permanent = failures.get().stream().anyMatch(f -> f.refusal().permanent());
    return permanent ? control.withNoRetry() : control.rescheduleAfter(RETRY_REFUSED);
  }
}
