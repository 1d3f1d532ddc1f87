package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.data.DatasetStats;
import io.kubetune.trainer.serve.http.ServeMetrics;
import io.kubetune.trainer.train.CheckpointState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's trainer and server panels query metrics that a trainer's status port and a
 * server's /metrics really export: names read from live scrapes, after every metric has a value.
 */
class GrafanaDashboardTest {

  @Test
  void trainerPanelsQueryWhatTheStatusPortExports() throws Exception {
    Set<String> wanted = GrafanaDashboard.metricsByExporter().get("trainer");
    assertThat(wanted).isNotEmpty();
    assertThat(GrafanaDashboard.exported(trainerScrape())).containsAll(wanted);
  }

  @Test
  void serverPanelsQueryWhatServeExports() throws Exception {
    Set<String> wanted = GrafanaDashboard.metricsByExporter().get("server");
    assertThat(wanted).isNotEmpty();
    assertThat(GrafanaDashboard.exported(serverScrape())).containsAll(wanted);
  }

  @Test
  void everyRowNamesAnExporterAndTheIssuesFiguresArePlotted() throws Exception {
    Map<String, Set<String>> byExporter = GrafanaDashboard.metricsByExporter();
    assertThat(byExporter).containsOnlyKeys("trainer", "server", "operator");
    // loss, tokens/s, progress, queue depth, TTFT, errors (status codes)
    assertThat(byExporter.get("trainer"))
        .contains("kubetune_train_tokens_per_second", "kubetune_train_loss");
    assertThat(byExporter.get("server"))
        .contains(
            "kubetune_serve_queue_depth",
            "kubetune_serve_time_to_first_token_seconds_bucket",
            "kubetune_serve_requests_total");
  }

  @Test
  void readsMetricNamesOutOfPromQl() {
    assertThat(
            GrafanaDashboard.metricNames(
                "histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{x=~\"4..|b\"}[5m])))"
                    + " / on (pod) b_total offset 5m and c"))
        .containsExactly("a_bucket", "b_total", "c");
  }

  private static String trainerScrape() throws Exception {
    try (StatusServer server = StatusServer.start(0)) {
      TrainingProgress p =
          new TrainingProgress(
              3, 10, 1, 1.5, 1e-4, 900, 20, TrainingProgress.Phase.TRAINING, null, "now");
      server.onDatasets(
          List.of(new DatasetStats("file:///d.jsonl", 4, 3, 1, 0, 1, 300, 100, List.of())));
      server.onStep(new CheckpointState.StepRecord(3, 1.5, 1e-4, 0.5, 512), p);
      server.onProgress(p);
      server.onCheckpoint(Path.of("checkpoints/step-3"));
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }
  }

  private static String serverScrape() {
    ServeMetrics metrics = new ServeMetrics();
    metrics.ready(4);
    metrics.request("/v1/chat/completions", 200, 0.2);
    metrics.cancelled();
    metrics.queueDepth(1);
    metrics.batchSize(2);
    metrics.timeToFirstToken(0.05);
    metrics.interTokenLatency(0.01);
    metrics.tokens(10, 5);
    return new String(metrics.scrape(), StandardCharsets.UTF_8);
  }
}
