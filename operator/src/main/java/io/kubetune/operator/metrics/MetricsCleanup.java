package io.kubetune.operator.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Removes a resource's metrics when it is deleted, without a finalizer: an event source that only
 * listens to the primary resource's deletion.
 */
public class MetricsCleanup<P extends HasMetadata> extends AbstractEventSource<Void, P>
    implements ResourceEventAware<P> {
  private final Consumer<P> forget;

  public MetricsCleanup(Consumer<P> forget) {
    super(Void.class, "metrics-cleanup");
    this.forget = forget;
  }

  @Override
  public void onResourceDeleted(P resource) {
    forget.accept(resource);
  }

  @Override
  public Set<Void> getSecondaryResources(P primary) {
    return Set.of();
  }
}
