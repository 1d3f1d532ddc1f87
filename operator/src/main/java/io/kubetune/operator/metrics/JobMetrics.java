package io.kubetune.operator.metrics;

import io.kubetune.operator.crd.ProgressStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-job gauges on /q/metrics, tagged with namespace and name: kubetune_finetunejob_step,
 * kubetune_finetunejob_total_steps and kubetune_finetunejob_loss. They appear with the first
 * progress report and are removed when the FineTuneJob is deleted.
 */
@ApplicationScoped
public class JobMetrics {
  public static final String STEP = "kubetune.finetunejob.step";
  public static final String TOTAL_STEPS = "kubetune.finetunejob.total.steps";
  public static final String LOSS = "kubetune.finetunejob.loss";

  @Inject MeterRegistry registry;

  private final Map<String, Registered> jobs = new ConcurrentHashMap<>();

  private record Registered(AtomicReference<ProgressStatus> progress, List<Meter> meters) {}

  public void record(String namespace, String name, ProgressStatus progress) {
    if (progress == null) {
      return;
    }
    jobs.computeIfAbsent(key(namespace, name), k -> register(namespace, name))
        .progress()
        .set(progress);
  }

  public void remove(String namespace, String name) {
    Registered r = jobs.remove(key(namespace, name));
    if (r != null) {
      r.meters().forEach(registry::remove);
    }
  }

  private Registered register(String namespace, String name) {
    AtomicReference<ProgressStatus> ref = new AtomicReference<>();
    Tags tags = Tags.of("namespace", namespace, "name", name);
    List<Meter> meters =
        List.of(
            gauge(STEP, "Optimizer steps done", tags, ref, p -> p.step()),
            gauge(TOTAL_STEPS, "Optimizer steps planned", tags, ref, p -> p.totalSteps()),
            gauge(LOSS, "Latest training loss", tags, ref, p -> p.loss()));
    return new Registered(ref, meters);
  }

  private Meter gauge(
      String metric,
      String help,
      Tags tags,
      AtomicReference<ProgressStatus> ref,
      java.util.function.Function<ProgressStatus, Number> value) {
    return Gauge.builder(
            metric,
            ref,
            r -> {
              ProgressStatus p = r.get();
              Number n = p == null ? null : value.apply(p);
              return n == null ? Double.NaN : n.doubleValue();
            })
        .description(help)
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
