package io.kubetune.trainer.zero;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.cli.Kubetune;
import io.kubetune.trainer.dist.Ranks;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.train.CheckpointManifest;
import io.kubetune.trainer.train.CheckpointReader;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.FlatLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training jobs on a fixture model run as separate processes ({@code kubetune train}, with --nproc
 * for several ranks), and what they left: the loss history and the trained tensors of a checkpoint.
 */
final class TrainJobs {
  static final Path MODEL = Fixtures.model("llama-tied").toAbsolutePath();
  static final Path DATA = Path.of("src/main/resources/quickstart/identity.jsonl").toAbsolutePath();

  private TrainJobs() {}

  /** A job.yaml; method "full" or "lora". */
  static Path job(
      Path dir,
      String name,
      String method,
      int stage,
      int accumulation,
      int steps,
      int checkpointEvery,
      int timeoutSeconds)
      throws IOException {
    Files.createDirectories(dir);
    String yaml =
        """
        model: {source: "file://%s"}
        datasets:
          - {source: "file://%s", format: openai, template: llama3_chat}
        method: {type: %s%s}
        training: {maxSteps: %d, microBatchSize: 2, gradientAccumulation: %d, learningRate: 0.005,
                   maxLength: 96, packing: true, warmupRatio: 0.2, seed: 7}
        checkpoint: {everySteps: %d, keep: 10}
        output: {path: "file://%s"}
        distributed: {zeroStage: %d, timeoutSeconds: %d, joinTimeoutSeconds: 60}
        """
            .formatted(
                MODEL,
                DATA,
                method,
                method.equals("lora") ? ", lora: {r: 4, alpha: 8, dropout: 0.1}" : "",
                steps,
                accumulation,
                checkpointEvery,
                dir.resolve(name).toAbsolutePath(),
                stage,
                timeoutSeconds);
    return Files.writeString(dir.resolve(name + ".yaml"), yaml);
  }

  /** Runs kubetune train with nproc ranks and returns its one result (the launcher's). */
  static Ranks.Result train(Path job, int nproc, Path logs) throws Exception {
    List<String> command =
        Ranks.java(Kubetune.class, "train", "-f", job.toString(), "--nproc", String.valueOf(nproc));
    Ranks.Running run = Ranks.start(command, Map.of(), logs.resolve(job.getFileName() + ".log"), 0);
    Ranks.Result result = Ranks.await(List.of(run), Duration.ofMinutes(5)).get(0);
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result;
  }

  static Path output(Path job) {
    String name = job.getFileName().toString();
    return job.resolveSibling(name.substring(0, name.length() - ".yaml".length()));
  }

  /** The newest complete checkpoint of a job. */
  static Path latest(Path job) throws IOException {
    return new CheckpointStore(output(job), 10).latest().orElseThrow();
  }

  static List<CheckpointState.StepRecord> history(Path checkpoint) throws IOException {
    return new CheckpointStore(checkpoint.getParent().getParent(), 10).state(checkpoint).history();
  }

  static CheckpointManifest manifest(Path checkpoint) throws IOException {
    return new CheckpointStore(checkpoint.getParent().getParent(), 10).manifest(checkpoint);
  }

  /** A checkpoint's trained tensors (or moments) by name, as float arrays. */
  static Map<String, float[]> tensors(Path checkpoint, CheckpointStore.Field field)
      throws IOException {
    CheckpointStore store = new CheckpointStore(checkpoint.getParent().getParent(), 10);
    Map<String, float[]> out = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        CheckpointReader reader = store.reader(checkpoint)) {
      Map<String, NDArray> named = new LinkedHashMap<>();
      for (FlatLayout.Place p : store.manifest(checkpoint).layout().places().values()) {
        named.put(p.slot().name(), m.zeros(new ai.djl.ndarray.types.Shape(p.slot().dims())));
      }
      reader.readNamed(named, field);
      named.forEach((n, t) -> out.put(n, t.toFloatArray()));
    }
    return out;
  }

  /** The tensors of an output folder's hf/model.safetensors, as floats. */
  static Map<String, float[]> exported(Path output) throws IOException {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        io.kubetune.trainer.weights.SafetensorsFile f =
            io.kubetune.trainer.weights.SafetensorsFile.open(
                output.resolve("hf/model.safetensors"))) {
      for (String name : f.tensors().keySet()) {
        out.put(
            name,
            io.kubetune.trainer.torch.Aten.to(f.load(m, name), io.kubetune.trainer.torch.Dtype.F32)
                .toFloatArray());
      }
    }
    return out;
  }

  /** Asserts equal tensors: per tensor, max |a - b| <= relative * max |a|. */
  static void assertClose(Map<String, float[]> a, Map<String, float[]> b, double relative) {
    assertThat(b.keySet()).isEqualTo(a.keySet());
    List<String> worst = new ArrayList<>();
    double max = 0;
    for (String name : a.keySet()) {
      float[] x = a.get(name);
      float[] y = b.get(name);
      double diff = 0;
      double scale = 1e-12;
      for (int i = 0; i < x.length; i++) {
        diff = Math.max(diff, Math.abs(x[i] - y[i]));
        scale = Math.max(scale, Math.abs(x[i]));
      }
      max = Math.max(max, diff / scale);
      if (diff > relative * scale) {
        worst.add(name + ": max diff " + diff + " at scale " + scale);
      }
    }
    assertThat(worst).as("tensors beyond %s relative (max %s)", relative, max).isEmpty();
  }

  static void assertSameLosses(
      List<CheckpointState.StepRecord> a, List<CheckpointState.StepRecord> b, double relative) {
    assertThat(b).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).loss())
          .as("loss of step %d", i + 1)
          .isCloseTo(
              a.get(i).loss(),
              org.assertj.core.data.Offset.offset(relative * Math.abs(a.get(i).loss())));
    }
  }
}
