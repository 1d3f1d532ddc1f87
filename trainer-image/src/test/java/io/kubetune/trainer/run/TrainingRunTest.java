package io.kubetune.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.chat.LoadedChatModel;
import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.TrainingListener;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubetune train end to end on a fixture model: resume, determinism, export. */
class TrainingRunTest {
  private static final Path MODEL = Fixtures.model("llama-tied").toAbsolutePath();
  private static final Path DATA =
      Path.of("src/main/resources/quickstart/identity.jsonl").toAbsolutePath();
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  @TempDir Path dir;

  @AfterEach
  void close() {
    manager.close();
  }

  private ResolvedJob job(String method, Path output, int steps, int every) throws IOException {
    return job(method, output, steps, every, "fp32");
  }

  private ResolvedJob job(String method, Path output, int steps, int every, String precision)
      throws IOException {
    String yaml =
        """
        model: {source: "file://%s"}
        datasets:
          - {source: "file://%s", format: openai, template: llama3_chat}
        method: {type: %s%s}
        training: {maxSteps: %d, microBatchSize: 2, gradientAccumulation: 2, learningRate: 0.005,
                   maxLength: 128, packing: true, warmupRatio: 0.2, seed: 7, precision: %s}
        checkpoint: {everySteps: %d, keep: 5}
        output: {path: "file://%s"}
        """
            .formatted(
                MODEL,
                DATA,
                method,
                method.equals("lora") ? ", lora: {r: 4, alpha: 8, dropout: 0.1}" : "",
                steps,
                precision,
                every,
                output);
    Path file = Files.writeString(dir.resolve(method + output.getFileName() + ".yaml"), yaml);
    return new JobSpecLoader(new SourceResolver(dir)).load(file);
  }

  private TrainingRun.Outcome train(ResolvedJob job, List<TrainingListener> listeners)
      throws IOException {
    return new TrainingRun(
            job, job.outputDir().orElseThrow(), listeners, (t, s) -> new TrainingListener() {})
        .run(manager);
  }

  @Test
  void aRunStoppedMidwayAndResumedEndsWithTheSameWeightsAsAnUninterruptedOne() throws Exception {
    Path straight = dir.resolve("straight");
    train(job("lora", straight, 6, 2), List.of());

    Path interrupted = dir.resolve("interrupted");
    TrainingListener crashAfterStep5 =
        new TrainingListener() {
          @Override
          public void onStep(CheckpointState.StepRecord record, TrainingProgress progress) {
            if (record.step() == 5) {
              throw new IllegalStateException("simulated preemption");
            }
          }
        };
    assertThatThrownBy(() -> train(job("lora", interrupted, 6, 2), List.of(crashAfterStep5)))
        .hasMessageContaining("simulated preemption");
    assertThat(new CheckpointStore(interrupted, 5).latest().orElseThrow())
        .endsWith(java.nio.file.Path.of("step-00000004"));

    TrainingRun.Outcome resumed = train(job("lora", interrupted, 6, 2), List.of());

    assertThat(resumed.resumed()).isTrue();
    assertThat(resumed.history()).hasSize(6);
    assertSameTensors(
        straight.resolve("checkpoints/step-00000006/trainable.safetensors"),
        interrupted.resolve("checkpoints/step-00000006/trainable.safetensors"),
        1e-6);
    assertSameTensors(
        straight.resolve("checkpoints/step-00000006/optimizer.safetensors"),
        interrupted.resolve("checkpoints/step-00000006/optimizer.safetensors"),
        1e-6);
  }

  @Test
  void theSameSeedGivesTheSameWeightsAndTheLossGoesDown() throws Exception {
    TrainingRun.Outcome a = train(job("lora", dir.resolve("a"), 8, 8), List.of());
    TrainingRun.Outcome b = train(job("lora", dir.resolve("b"), 8, 8), List.of());
    assertSameTensors(
        dir.resolve("a/adapter/adapter_model.safetensors"),
        dir.resolve("b/adapter/adapter_model.safetensors"),
        0);
    double first = a.history().get(0).loss();
    double last = a.history().get(a.history().size() - 1).loss();
    assertThat(last).isLessThan(first);
    assertThat(a.lossCurve()).exists();
  }

  @Test
  void exportedMergedModelAndAdapterComputeWhatTheTrainedModelComputes() throws Exception {
    Path out = dir.resolve("export");
    train(job("lora", out, 4, 4), List.of());
    long[] ids = {997, 40, 500, 731, 998, 13, 999};

    float[] merged;
    try (LoadedModel hf =
        ModelLoader.load(manager, out.resolve("hf"), ModelLoader.Options.fp32())) {
      merged = logits(hf.model(), ids);
    }
    float[] adapted;
    try (LoadedChatModel withAdapter =
        LoadedChatModel.load(manager, MODEL, out.resolve("adapter"), Dtype.F32)) {
      adapted = logits(withAdapter.chat().model(), ids);
    }
    float[] base;
    try (LoadedModel original = ModelLoader.load(manager, MODEL, ModelLoader.Options.fp32())) {
      base = logits(original.model(), ids);
    }
    assertThat(maxAbsDiff(merged, adapted)).isLessThan(1e-4);
    assertThat(maxAbsDiff(merged, base)).as("training changed the model").isGreaterThan(1e-2);

    ObjectMapper json = new ObjectMapper();
    JsonNode adapterConfig = json.readTree(out.resolve("adapter/adapter_config.json").toFile());
    assertThat(adapterConfig.get("peft_type").asText()).isEqualTo("LORA");
    assertThat(adapterConfig.get("r").asInt()).isEqualTo(4);
    assertThat(adapterConfig.get("target_modules").toString()).contains("q_proj", "down_proj");
    JsonNode tokenizerConfig = json.readTree(out.resolve("hf/tokenizer_config.json").toFile());
    assertThat(tokenizerConfig.get("chat_template").asText())
        .contains("<|start_header_id|>")
        .isEqualTo(io.kubetune.trainer.tokenizer.XTunerTemplates.LLAMA3_CHAT.toJinja());
    JsonNode generation = json.readTree(out.resolve("hf/generation_config.json").toFile());
    assertThat(generation.get("eos_token_id").toString()).contains("999"); // <|eot_id|>
  }

  @Test
  void fullFineTuningExportsTheTrainedWeights() throws Exception {
    Path out = dir.resolve("full");
    TrainingRun.Outcome outcome = train(job("full", out, 3, 3), List.of());
    assertThat(outcome.export().adapter()).isNull();
    long[] ids = {997, 40, 500, 731};
    float[] exported;
    try (LoadedModel hf =
        ModelLoader.load(manager, out.resolve("hf"), ModelLoader.Options.fp32())) {
      exported = logits(hf.model(), ids);
      assertThat(hf.config().tieWordEmbeddings()).isTrue();
    }
    float[] base;
    try (LoadedModel original = ModelLoader.load(manager, MODEL, ModelLoader.Options.fp32())) {
      base = logits(original.model(), ids);
    }
    assertThat(maxAbsDiff(exported, base)).isGreaterThan(1e-2);
    try (SafetensorsFile ckpt =
            SafetensorsFile.open(out.resolve("checkpoints/step-00000003/trainable.safetensors"));
        SafetensorsFile hf = SafetensorsFile.open(out.resolve("hf/model.safetensors"))) {
      assertThat(ckpt.tensors().keySet()).isEqualTo(hf.tensors().keySet());
    }

    // kubetune export of the same checkpoint loads and restores as train does: the same bytes
    byte[] trainedExport = Files.readAllBytes(out.resolve("hf/model.safetensors"));
    RunExport.Exported again = RunExport.fromCheckpoint(manager, job("full", out, 3, 3), out, null);
    assertThat(again.step()).isEqualTo(3);
    assertThat(Files.readAllBytes(again.result().hf().resolve("model.safetensors")))
        .isEqualTo(trainedExport);
    assertThatThrownBy(() -> RunExport.fromCheckpoint(manager, job("lora", out, 3, 3), out, null))
        .hasMessageContaining("was written by a run with a different method or model (full)");
  }

  @Test
  void bf16ComputeTrainsWithFp32AdaptersAndExports() throws Exception {
    TrainingRun.Outcome outcome = train(job("lora", dir.resolve("bf16"), 8, 8, "bf16"), List.of());
    double first = outcome.history().get(0).loss();
    double last = outcome.history().get(outcome.history().size() - 1).loss();
    assertThat(last).isLessThan(first);
    try (SafetensorsFile adapter =
        SafetensorsFile.open(outcome.export().adapter().resolve("adapter_model.safetensors"))) {
      assertThat(adapter.tensors().values())
          .allMatch(t -> t.dtype() == io.kubetune.trainer.torch.Dtype.F32);
    }
  }

  @Test
  void aCheckpointOfAnotherMethodIsNotResumed() throws Exception {
    Path out = dir.resolve("mixed");
    train(job("lora", out, 2, 2), List.of());
    assertThatThrownBy(() -> train(job("full", out, 2, 2), List.of()))
        .hasMessageContaining("was written by a run with a different method or model (lora)");
  }

  @Test
  void progressReachesDoneWithTheStepCount() throws Exception {
    List<TrainingProgress> seen = new ArrayList<>();
    TrainingListener recorder =
        new TrainingListener() {
          @Override
          public void onProgress(TrainingProgress p) {
            seen.add(p);
          }
        };
    train(job("lora", dir.resolve("p"), 3, 0), List.of(recorder));
    assertThat(seen.get(0).phase()).isEqualTo(TrainingProgress.Phase.LOADING);
    assertThat(seen)
        .extracting(TrainingProgress::phase)
        .contains(
            TrainingProgress.Phase.TRAINING,
            TrainingProgress.Phase.CHECKPOINTING,
            TrainingProgress.Phase.EXPORTING);
    TrainingProgress last = seen.get(seen.size() - 1);
    assertThat(last.phase()).isEqualTo(TrainingProgress.Phase.DONE);
    assertThat(last.step()).isEqualTo(3);
    assertThat(last.totalSteps()).isEqualTo(3);
  }

  private float[] logits(CausalLm model, long[] ids) {
    NDArray input = manager.create(ids, new Shape(1, ids.length));
    NDArray pos = manager.arange(0, ids.length, 1, DataType.INT64).reshape(1, -1);
    return model.logits(model.hidden(input, pos, AttentionMask.causal())).toFloatArray();
  }

  private void assertSameTensors(Path a, Path b, double tolerance) throws IOException {
    try (SafetensorsFile fa = SafetensorsFile.open(a);
        SafetensorsFile fb = SafetensorsFile.open(b)) {
      assertThat(fa.tensors().keySet()).isEqualTo(fb.tensors().keySet());
      for (String name : fa.tensors().keySet()) {
        float[] x = fa.load(manager, name).toFloatArray();
        float[] y = fb.load(manager, name).toFloatArray();
        assertThat(maxAbsDiff(x, y)).as(name).isLessThanOrEqualTo(tolerance);
      }
    }
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
