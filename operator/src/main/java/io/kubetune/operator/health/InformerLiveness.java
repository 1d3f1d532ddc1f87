package io.kubetune.operator.health;

import io.javaoperatorsdk.operator.Operator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: down once an informer of a started operator has stopped. A stopped informer never
 * starts again, and the controllers it feeds no longer see changes of its kind; only a restart
 * (which the failing probe asks the kubelet for) brings it back. The SDK's own check is a readiness
 * check: a replica whose informer stopped went unready but was never restarted.
 *
 * <p>Before the operator has started the check is up: start-up is the startup probe's business. An
 * informer that reconnects after a dropped watch is still running, so this check stays up.
 */
@Liveness
@ApplicationScoped
public class InformerLiveness implements HealthCheck {
  public static final String NAME = "kubetune informers";

  @Inject Operator operator;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).up();
    var runtime = operator.getRuntimeInfo();
    if (!runtime.isStarted()) {
      return response.withData("operator", "starting").build();
    }
    Map<String, Set<String>> stopped = new TreeMap<>();
    for (var controller : runtime.getRegisteredControllers()) {
      var unhealthy =
          controller.getControllerHealthInfo().unhealthyInformerEventSourceHealthIndicators();
      if (!unhealthy.isEmpty()) {
        stopped.put(controller.getConfiguration().getName(), unhealthy.keySet());
      }
      response.withData(
          controller.getConfiguration().getName(),
          unhealthy.isEmpty()
              ? "informers running"
              : "stopped: " + String.join(", ", unhealthy.keySet()));
    }
    return stopped.isEmpty() ? response.build() : response.down().build();
  }
}
