package io.kubetune.operator.owned;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericResourceUpdater;
import org.jboss.logging.Logger;

/**
 * A dependent the operator creates and keeps as the spec wants: hand edits are reverted (the SDK's
 * matcher sees them), an object hidden from the informers by a hand edit of its labels is taken
 * back ({@link TakeBack}), and a hand edit that server-side apply cannot merge with the desired
 * state is replaced.
 */
public abstract class OwnedDependent<R extends HasMetadata, P extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, P> {
  private static final Logger LOG = Logger.getLogger(OwnedDependent.class);

  @Override
  public R create(R desired, P primary, Context<P> context) {
    return TakeBack.create(
        desired,
        primary,
        context,
        () -> super.create(desired, primary, context),
        existing -> update(existing, desired, primary, context));
  }

  /**
   * Server-side apply merges lists by key: a Service port whose number was edited by hand keeps its
   * name, and applying the desired ports adds a second port of that name, which the API server
   * refuses (422). Then the object's spec is replaced as a whole (a PUT of the desired spec on the
   * current object).
   */
  @Override
  public R update(R actual, R desired, P primary, Context<P> context) {
    try {
      return super.update(actual, desired, primary, context);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422 || !useSSA(context)) {
        throw e;
      }
      LOG.infof(
          "replacing the spec of %s %s/%s: server-side apply cannot merge it with a hand edit (%s)",
          actual.getKind(),
          actual.getMetadata().getNamespace(),
          actual.getMetadata().getName(),
          e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
      return replace(actual, desired, context);
    }
  }

  /** Replaces the object's spec (data, ...) with the desired one, keeping its metadata: a PUT. */
  protected R replace(R actual, R desired, Context<P> context) {
    R replaced = GenericResourceUpdater.updateResource(actual, desired, context);
    return context.resourceOperations().update(replaced, eventSource().orElse(null));
  }
}
