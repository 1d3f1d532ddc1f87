package io.kubetune.operator.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code kubetune_skipped_resources{kind}}: FineTuneJobs and ModelServes the operator skips because
 * their spec cannot be used (missing, unreadable or invalid); each also says why in its status and
 * an Event. A number to alert on when such objects appear.
 */
@ApplicationScoped
public class SkippedResources {
  public static final String METRIC = "kubetune.skipped.resources";

  @Inject MeterRegistry registry;

  private final Map<String, Set<String>> byKind = new ConcurrentHashMap<>();

  public void set(HasMetadata resource, boolean skipped) {
    Set<String> keys = byKind.computeIfAbsent(resource.getKind(), this::register);
    String key = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    if (skipped) {
      keys.add(key);
    } else {
      keys.remove(key);
    }
  }

  /** The resource is gone. */
  public void forget(HasMetadata resource) {
    set(resource, false);
  }

  private Set<String> register(String kind) {
    Set<String> keys = ConcurrentHashMap.newKeySet();
    Gauge.builder(METRIC, keys, Set::size)
        .description("Resources skipped because their spec cannot be used")
        .tag("kind", kind)
        .strongReference(true)
        .register(registry);
    return keys;
  }
}
