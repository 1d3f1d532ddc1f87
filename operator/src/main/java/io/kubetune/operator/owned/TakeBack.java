package io.kubetune.operator.owned;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Creating an owned object that already exists: the operator's informers select owned objects by
 * the managed-by label, so an object whose label was removed by hand is invisible to them, and
 * creating it again fails with 409 (AlreadyExists, or a server-side apply's resourceVersion
 * precondition). When the object in the way is this resource's own (its owner reference names the
 * resource's UID) it is taken back: updated to what the spec wants, label included, so that the
 * informers see it again. An object that belongs to someone else is left alone and the refusal
 * names it.
 */
public final class TakeBack {
  private static final Logger LOG = Logger.getLogger(TakeBack.class);

  private TakeBack() {}

  /**
   * Runs the create; on 409, takes back an existing object owned by the primary.
   *
   * @param update brings the existing object to the desired state (the dependent's own update)
   */
  public static <R extends HasMetadata, P extends HasMetadata> R create(
      R desired, P primary, Context<P> context, Supplier<R> create, UnaryOperator<R> update) {
    try {
      return create.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      desired.getMetadata().setResourceVersion(null);
      R existing = context.getClient().resource(desired).get();
      if (existing == null || existing.getMetadata().getDeletionTimestamp() != null) {
        throw e; // gone or going meanwhile: the next reconciliation creates it
      }
      if (!ownedBy(existing, primary)) {
        throw new KubernetesClientException(
            new StatusBuilder()
                .withCode(409)
                .withReason("AlreadyExists")
                .withMessage(
                    existing.getKind()
                        + " "
                        + existing.getMetadata().getName()
                        + " already exists and does not belong to "
                        + primary.getKind()
                        + " "
                        + primary.getMetadata().getName()
                        + ": delete or rename it")
                .build());
      }
      LOG.infof(
          "taking back %s %s/%s of %s %s: its labels were changed by hand",
          existing.getKind(),
          existing.getMetadata().getNamespace(),
          existing.getMetadata().getName(),
          primary.getKind(),
          primary.getMetadata().getName());
      return update.apply(existing);
    }
  }

  static boolean ownedBy(HasMetadata object, HasMetadata owner) {
    return object.getMetadata().getOwnerReferences() != null
        && object.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> r.getUid() != null && r.getUid().equals(owner.getMetadata().getUid()));
  }
}
