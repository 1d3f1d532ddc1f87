package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.data.DatasetStats;
import io.kubetune.trainer.train.CheckpointState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the operator and Prometheus read from a training pod. */
class StatusServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(StatusServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheLatestProgressAsJsonAndTheFiguresAsPrometheusMetrics() throws Exception {
    try (StatusServer server = StatusServer.start(0)) {
      assertThat(get(server, "/progress").statusCode()).isEqualTo(503);

      server.onDatasets(
          List.of(new DatasetStats("file:///d.jsonl", 10, 8, 2, 0, 1, 500, 200, List.of())));
      TrainingProgress p =
          new TrainingProgress(
              120,
              500,
              1,
              1.25,
              2e-4,
              3000.5,
              380,
              TrainingProgress.Phase.TRAINING,
              "checkpoints/step-00000100",
              "2026-11-29T12:00:00Z");
      server.onStep(new CheckpointState.StepRecord(120, 1.25, 2e-4, 0.8, 4096), p);
      server.onProgress(p);
      server.onCheckpoint(Path.of("checkpoints/step-00000100"));

      HttpResponse<String> progress = get(server, "/progress");
      assertThat(progress.statusCode()).isEqualTo(200);
      assertThat(progress.headers().firstValue("Content-Type")).contains("application/json");
      TrainingProgress read = new ObjectMapper().readValue(progress.body(), TrainingProgress.class);
      assertThat(read).isEqualTo(p);
      assertThat(progress.body()).contains("\"phase\":\"training\"");

      String metrics = get(server, "/metrics").body();
      assertThat(metrics)
          .contains("kubetune_train_step 120.0")
          .contains("kubetune_train_total_steps 500.0")
          .contains("kubetune_train_loss 1.25")
          .contains("kubetune_train_tokens_total 4096.0")
          .contains("kubetune_train_checkpoints_total 1.0")
          .contains("kubetune_train_phase{phase=\"training\"} 1.0")
          .contains("kubetune_dataset_records{dataset=\"datasets[0]\",outcome=\"skipped\"} 2.0");
      assertThat(get(server, "/nothing").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void eachRankServesItsOwnFigures() throws Exception {
    try (StatusServer server = StatusServer.start(0)) {
      server.onRankStep(
          new io.kubetune.trainer.train.RankFigures(
              3, 4, 2, 2048, 1.5, 12.25, 1_000_000, 250_000, 500_000, 3_000_000_000L));
      server.onRankStep(
          new io.kubetune.trainer.train.RankFigures(
              3, 4, 2, 1024, 1.25, 13.5, 1_000_000, 250_000, 500_000, 3_100_000_000L));

      String metrics = get(server, "/metrics").body();
      assertThat(metrics)
          .contains("kubetune_train_rank_info{rank=\"3\",world_size=\"4\",zero_stage=\"2\"} 1.0")
          .contains("kubetune_train_rank_tokens_total 3072.0")
          .contains("kubetune_train_rank_step_seconds 1.25")
          .contains("kubetune_train_rank_collective_seconds 13.5")
          .contains("kubetune_train_rank_state_bytes{kind=\"gradients\"} 250000.0")
          .contains("kubetune_train_rank_peak_rss_bytes 3.1E9");
    }
  }
}
