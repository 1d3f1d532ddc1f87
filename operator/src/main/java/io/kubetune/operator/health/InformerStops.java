package io.kubetune.operator.health;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.api.config.InformerStoppedHandler;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Called by the SDK when an informer stops. One that stops with an error (the Fabric8 client gives
 * up after a failure it does not retry) is logged once with its cause and counted in {@code
 * kubetune_informer_stops_total}; {@link InformerLiveness} then fails the liveness probe. An
 * informer stopped on purpose (the operator shutting down) has no error and is only logged at debug
 * level.
 */
@ApplicationScoped
public class InformerStops implements InformerStoppedHandler {
  public static final String METRIC = "kubetune.informer.stops";
  private static final Logger LOG = Logger.getLogger(InformerStops.class);

  @Inject MeterRegistry registry;

  @Override
  @SuppressWarnings("rawtypes")
  public void onStop(SharedIndexInformer informer, Throwable error) {
    String kind = informer.getApiTypeClass().getSimpleName();
    if (error == null) {
      LOG.debugf("informer for %s stopped", kind);
      return;
    }
    registry.counter(METRIC, "kind", kind).increment();
    LOG.errorf(
        "the informer for %s stopped: %s. The operator no longer sees changes of %s objects;"
            + " its liveness check fails so that it is restarted",
        kind, error, kind);
  }
}
