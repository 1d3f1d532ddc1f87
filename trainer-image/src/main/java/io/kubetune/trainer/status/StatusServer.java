package io.kubetune.trainer.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.data.DatasetStats;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.RankFigures;
import io.kubetune.trainer.train.TrainingListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer's status port: Prometheus metrics on /metrics and the latest {@link TrainingProgress}
 * as JSON on /progress (what the operator polls), served by the Prometheus client's HTTP server.
 */
public final class StatusServer implements TrainingListener, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicReference<TrainingProgress> latest = new AtomicReference<>();
  private final HTTPServer server;
  private final Gauge step = gauge("kubetune_train_step", "Optimizer steps done.");
  private final Gauge totalSteps = gauge("kubetune_train_total_steps", "Optimizer steps planned.");
  private final Gauge loss = gauge("kubetune_train_loss", "Training loss of the last step.");
  private final Gauge learningRate =
      gauge("kubetune_train_learning_rate", "Learning rate of the last step.");
  private final Gauge gradNorm =
      gauge("kubetune_train_grad_norm", "Global gradient norm before clipping, last step.");
  private final Gauge tokensPerSecond =
      gauge("kubetune_train_tokens_per_second", "Training tokens per second (recent steps).");
  private final Gauge remaining =
      gauge("kubetune_train_estimated_remaining_seconds", "Estimated seconds to the last step.");
  private final Counter tokens =
      Counter.builder()
          .name("kubetune_train_tokens_total")
          .help("Training tokens processed (padding excluded).")
          .register(registry);
  private final Counter checkpoints =
      Counter.builder()
          .name("kubetune_train_checkpoints_total")
          .help("Checkpoints written.")
          .register(registry);
  private final Gauge phase =
      Gauge.builder()
          .name("kubetune_train_phase")
          .help("1 for the phase the trainer is in.")
          .labelNames("phase")
          .register(registry);
  private final Gauge datasetRecords =
      Gauge.builder()
          .name("kubetune_dataset_records")
          .help("Dataset records by outcome: loaded, skipped (malformed), no_loss, truncated.")
          .labelNames("dataset", "outcome")
          .register(registry);

  private final Gauge rankInfo =
      Gauge.builder()
          .name("kubetune_train_rank_info")
          .help("1, labelled with this process's rank, the world size and the ZeRO stage.")
          .labelNames("rank", "world_size", "zero_stage")
          .register(registry);
  private final Counter rankTokens =
      Counter.builder()
          .name("kubetune_train_rank_tokens_total")
          .help("Tokens of this rank's own share of the steps (padding excluded).")
          .register(registry);
  private final Gauge rankStepSeconds =
      gauge("kubetune_train_rank_step_seconds", "This rank's wall time of the last step.");
  private final Gauge collectiveSeconds =
      gauge(
          "kubetune_train_rank_collective_seconds",
          "Seconds this rank has spent in collective operations (waiting for peers included).");
  private final Gauge stateBytes =
      Gauge.builder()
          .name("kubetune_train_rank_state_bytes")
          .help("Training state this rank holds between steps: parameters, gradients, optimizer.")
          .labelNames("kind")
          .register(registry);
  private final Gauge peakRss =
      gauge("kubetune_train_rank_peak_rss_bytes", "Peak resident set size of this process.");

  private StatusServer(int port) throws IOException {
    this.server =
        HTTPServer.builder()
            .port(port)
            .registry(registry)
            .defaultHandler(this::handle)
            .buildAndStart();
  }

  /** Starts serving on port (0: any free port). */
  public static StatusServer start(int port) throws IOException {
    return new StatusServer(port);
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void onDatasets(List<DatasetStats> stats) {
    for (int i = 0; i < stats.size(); i++) {
      DatasetStats s = stats.get(i);
      String name = "datasets[" + i + "]";
      datasetRecords.labelValues(name, "loaded").set(s.samples());
      datasetRecords.labelValues(name, "skipped").set(s.invalid());
      datasetRecords.labelValues(name, "no_loss").set(s.noLoss());
      datasetRecords.labelValues(name, "truncated").set(s.truncated());
    }
  }

  @Override
  public void onProgress(TrainingProgress p) {
    latest.set(p);
    step.set(p.step());
    totalSteps.set(p.totalSteps());
    tokensPerSecond.set(p.tokensPerSecond());
    remaining.set(p.estimatedRemainingSeconds());
    if (!Double.isNaN(p.loss())) {
      loss.set(p.loss());
    }
    learningRate.set(p.learningRate());
    for (TrainingProgress.Phase each : TrainingProgress.Phase.values()) {
      phase
          .labelValues(each.name().toLowerCase(java.util.Locale.ROOT))
          .set(each == p.phase() ? 1 : 0);
    }
  }

  @Override
  public void onStep(CheckpointState.StepRecord record, TrainingProgress progress) {
    tokens.inc(record.tokens());
    gradNorm.set(record.gradNorm());
  }

  @Override
  public void onRankStep(RankFigures f) {
    rankInfo
        .labelValues(
            String.valueOf(f.rank()), String.valueOf(f.world()), String.valueOf(f.zeroStage()))
        .set(1);
    rankTokens.inc(f.tokens());
    rankStepSeconds.set(f.stepSeconds());
    collectiveSeconds.set(f.collectiveSeconds());
    stateBytes.labelValues("parameters").set(f.parameterBytes());
    stateBytes.labelValues("gradients").set(f.gradientBytes());
    stateBytes.labelValues("optimizer").set(f.optimizerBytes());
    peakRss.set(f.peakRssBytes());
  }

  @Override
  public void onCheckpoint(Path dir) {
    checkpoints.inc();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    TrainingProgress p = latest.get();
    byte[] body;
    int status;
    if (TrainingProgress.PATH.equals(path) && p != null) {
      body = JSON.writeValueAsBytes(p);
      status = 200;
    } else if (TrainingProgress.PATH.equals(path)) {
      body = "{\"error\":\"no progress yet\"}".getBytes(StandardCharsets.UTF_8);
      status = 503;
    } else {
      body = "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8);
      status = 404;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private Gauge gauge(String name, String help) {
    return Gauge.builder().name(name).help(help).register(registry);
  }

  @Override
  public void close() {
    server.close();
  }
}
