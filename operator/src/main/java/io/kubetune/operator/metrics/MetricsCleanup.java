package io.kubetune.operator.metrics;

import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.kubetune.operator.crd.FineTuneJob;
import java.util.Set;

/**
 * Removes a job's gauges when the FineTuneJob is deleted, without a finalizer: an event source that
 * only listens to the primary resource's deletion.
 */
public class MetricsCleanup extends AbstractEventSource<Void, FineTuneJob>
    implements ResourceEventAware<FineTuneJob> {
  private final JobMetrics metrics;

  public MetricsCleanup(JobMetrics metrics) {
    super(Void.class, "job-metrics-cleanup");
    this.metrics = metrics;
  }

  @Override
  public void onResourceDeleted(FineTuneJob job) {
    metrics.remove(job.getMetadata().getNamespace(), job.getMetadata().getName());
  }

  @Override
  public Set<Void> getSecondaryResources(FineTuneJob primary) {
    return Set.of();
  }
}
