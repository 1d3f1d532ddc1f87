package io.kubetune.trainer.serve.http;

import io.kubetune.trainer.serve.EngineMetrics;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics (GET /metrics): requests by route and status, what the batch
 * engine reports (tokens, latencies, queue depth, batch size) and cancelled requests.
 */
public final class ServeMetrics implements EngineMetrics {
  /** Latency buckets from 5 ms to 60 s. */
  private static final double[] LATENCY_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 20, 30, 60
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  private final Counter requests =
      Counter.builder()
          .name("kubetune_serve_requests")
          .help("HTTP requests by route and status code.")
          .labelNames("route", "status")
          .register(registry);
  private final Histogram requestSeconds =
      Histogram.builder()
          .name("kubetune_serve_request_duration_seconds")
          .help("Time to answer a request, the whole stream included.")
          .labelNames("route")
          .classicOnly()
          .classicUpperBounds(LATENCY_BUCKETS)
          .register(registry);
  private final Counter promptTokens =
      Counter.builder()
          .name("kubetune_serve_prompt_tokens")
          .help("Prompt tokens of finished generations.")
          .register(registry);
  private final Counter completionTokens =
      Counter.builder()
          .name("kubetune_serve_completion_tokens")
          .help("Generated tokens of finished generations.")
          .register(registry);
  private final Histogram timeToFirstToken =
      Histogram.builder()
          .name("kubetune_serve_time_to_first_token_seconds")
          .help("From a request entering the queue to its first generated token.")
          .classicOnly()
          .classicUpperBounds(LATENCY_BUCKETS)
          .register(registry);
  private final Histogram interTokenLatency =
      Histogram.builder()
          .name("kubetune_serve_inter_token_latency_seconds")
          .help("Time between two generated tokens of one request.")
          .classicOnly()
          .classicUpperBounds(
              0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 1, 2.5)
          .register(registry);
  private final Gauge queueDepth =
      Gauge.builder()
          .name("kubetune_serve_queue_depth")
          .help("Requests waiting for a generation slot.")
          .register(registry);
  private final Gauge batchSize =
      Gauge.builder()
          .name("kubetune_serve_batch_size")
          .help("Sequences being generated together (busy slots).")
          .register(registry);
  private final Gauge maxBatch =
      Gauge.builder()
          .name("kubetune_serve_max_batch")
          .help("Generation slots (--max-batch).")
          .register(registry);
  private final Counter cancelled =
      Counter.builder()
          .name("kubetune_serve_cancelled_requests")
          .help("Generations cancelled because the client went away.")
          .register(registry);
  private final Gauge ready =
      Gauge.builder()
          .name("kubetune_serve_model_ready")
          .help("1 once the model is loaded and requests are served.")
          .register(registry);

  public void request(String route, int status, double seconds) {
    requests.labelValues(route, Integer.toString(status)).inc();
    requestSeconds.labelValues(route).observe(seconds);
  }

  public void cancelled() {
    cancelled.inc();
  }

  public void ready(int slots) {
    maxBatch.set(slots);
    ready.set(1);
  }

  @Override
  public void queueDepth(int depth) {
    queueDepth.set(depth);
  }

  @Override
  public void batchSize(int active) {
    batchSize.set(active);
  }

  @Override
  public void timeToFirstToken(double seconds) {
    timeToFirstToken.observe(seconds);
  }

  @Override
  public void interTokenLatency(double seconds) {
    interTokenLatency.observe(seconds);
  }

  @Override
  public void tokens(int prompt, int completion) {
    promptTokens.inc(prompt);
    completionTokens.inc(completion);
  }

  /** The Prometheus text format. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public String contentType() {
    return writer.getContentType();
  }
}
