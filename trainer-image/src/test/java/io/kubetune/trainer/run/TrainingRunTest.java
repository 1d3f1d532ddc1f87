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
import io.kubetune.trainer.tokenizer.XTunerTemplates;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.train.CheckpointReader;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.TrainingListener;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubetune train end to end on a fixture model: resume, determinism, export, progress. The runs are
 * the slow part, so each one is trained once, when a test first needs it, and the tests read what
 * it left (the class has one instance).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingRunTest {
  private static final Path MODEL = Fixtures.model("llama-tied").toAbsolutePath();
  private static final Path DATA =
      Path.of("src/main/resources/quickstart/identity.jsonl").toAbsolutePath();
  private static final String STEP_4 = "checkpoints/step-00000004/";
  private static final String STEP_6 = "checkpoints/step-00000006/";
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  @TempDir static Path dir; // one folder for the whole class: later tests read earlier runs

  /** A finished run, what it left and the progress it reported. */
  private record Trained(Path out, TrainingRun.Outcome outcome, List<TrainingProgress> progress) {}

  private Trained lora; // 6 LoRA steps, a checkpoint every 2
  private Trained full; // 3 full fine-tuning steps

  private Trained lora() throws IOException {
    if (lora == null) {
      lora = trainRecorded(job("lora", dir.resolve("lora"), 6, 2));
    }
    return lora;
  }

  private Trained full() throws IOException {
    if (full == null) {
      full = trainRecorded(job("full", dir.resolve("full"), 3, 3));
    }
    return full;
  }

  @AfterAll
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

  private Trained trainRecorded(ResolvedJob job) throws IOException {
    List<TrainingProgress> seen = new ArrayList<>();
    TrainingListener recorder =
        new TrainingListener() {
          @Override
          public void onProgress(TrainingProgress p) {
            seen.add(p);
          }
        };
    TrainingRun.Outcome outcome = train(job, List.of(recorder));
    return new Trained(job.outputDir().orElseThrow(), outcome, List.copyOf(seen));
  }

  @Test
  void anInterruptedRunRepeatsTheSameStepsAndResumesToTheSameWeights() throws Exception {
    Path straight = lora().out();
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
        .endsWith(Path.of("step-00000004"));
    // the same seed gives the same weights, bit for bit
    assertSameTensors(
        straight.resolve(STEP_4 + "rank-00000-of-00001.safetensors"),
        interrupted.resolve(STEP_4 + "rank-00000-of-00001.safetensors"),
        0);

    TrainingRun.Outcome resumed = train(job("lora", interrupted, 6, 2), List.of());

    assertThat(resumed.resumed()).isTrue();
    assertThat(resumed.history()).hasSize(6);
    // parameters and both AdamW moments of every unit
    String shard = "rank-00000-of-00001.safetensors";
    assertSameTensors(straight.resolve(STEP_6 + shard), interrupted.resolve(STEP_6 + shard), 1e-6);
  }

  @Test
  void theLossGoesDownAndTheCurveIsDrawn() throws Exception {
    TrainingRun.Outcome outcome = lora().outcome();
    assertThat(outcome.history()).hasSize(6);
    assertThat(outcome.history().get(5).loss()).isLessThan(outcome.history().get(0).loss());
    assertThat(outcome.lossCurve()).exists();
  }

  @Test
  void exportedMergedModelAndAdapterComputeWhatTheTrainedModelComputes() throws Exception {
    Path out = lora().out();
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
    // a path PEFT and transformers can load the base from, not the spec's file:// URI
    assertThat(adapterConfig.get("base_model_name_or_path").asText()).isEqualTo(MODEL.toString());
    JsonNode tokenizerConfig = json.readTree(out.resolve("hf/tokenizer_config.json").toFile());
    assertThat(tokenizerConfig.get("chat_template").asText())
        .contains("<|start_header_id|>")
        .isEqualTo(XTunerTemplates.LLAMA3_CHAT.toJinja());
    JsonNode generation = json.readTree(out.resolve("hf/generation_config.json").toFile());
    assertThat(generation.get("eos_token_id").toString()).contains("999"); // <|eot_id|>
  }

  /**
   * A bf16-stored base: hf/ in the base's dtype (the default) is the merge rounded to bf16, which
   * loses part of the update; output.mergeDtype fp32 writes the exact merge, which computes what
   * base + adapter computes.
   */
  @Test
  void mergeDtypeFp32WritesTheExactMergeOfABf16Base() throws Exception {
    Path model = Fixtures.model("qwen2").toAbsolutePath();
    String yaml =
        """
        model: {source: "file://%s"}
        datasets: [{source: "file://%s", format: openai, template: qwen_chat}]
        method: {type: lora, lora: {r: 4, alpha: 8, dropout: 0.0}}
        training: {maxSteps: 2, microBatchSize: 2, learningRate: 0.01, maxLength: 64, seed: 3}
        checkpoint: {everySteps: 2, keep: 1}
        output: {path: "file://%s"%s}
        """;
    Path exact = dir.resolve("exact");
    Path rounded = dir.resolve("rounded");
    SourceResolver resolver = new SourceResolver(dir);
    ResolvedJob fp32 =
        new JobSpecLoader(resolver)
            .load(
                Files.writeString(
                    dir.resolve("fp32.yaml"),
                    yaml.formatted(model, DATA, exact, ", mergeDtype: fp32")));
    ResolvedJob base =
        new JobSpecLoader(resolver)
            .load(
                Files.writeString(
                    dir.resolve("base.yaml"), yaml.formatted(model, DATA, rounded, "")));
    train(fp32, List.of());
    RunExport.fromCheckpoint(
        manager, base, rounded, new CheckpointStore(exact, 1).latest().orElseThrow());

    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(exact.resolve("hf/config.json").toFile()).get("torch_dtype").asText())
        .isEqualTo("float32");
    assertThat(
            json.readTree(rounded.resolve("hf/config.json").toFile()).get("torch_dtype").asText())
        .isEqualTo("bfloat16");
    long[] ids = {10, 200, 31, 400, 997, 5};
    float[] live;
    try (LoadedChatModel adapted =
        LoadedChatModel.load(manager, model, exact.resolve("adapter"), Dtype.F32)) {
      live = logits(adapted.chat().model(), ids);
    }
    float[] exactLogits;
    try (LoadedModel hf =
        ModelLoader.load(manager, exact.resolve("hf"), ModelLoader.Options.fp32())) {
      exactLogits = logits(hf.model(), ids);
    }
    float[] roundedLogits;
    try (LoadedModel hf =
        ModelLoader.load(manager, rounded.resolve("hf"), ModelLoader.Options.fp32())) {
      roundedLogits = logits(hf.model(), ids);
    }
    assertThat(maxAbsDiff(exactLogits, live)).isLessThan(1e-4);
    assertThat(maxAbsDiff(roundedLogits, live)).isGreaterThan(10 * maxAbsDiff(exactLogits, live));
  }

  @Test
  void fullFineTuningExportsTheCheckpointsTrainedTensors() throws Exception {
    Trained run = full();
    Path out = run.out();
    assertThat(run.outcome().export().adapter()).isNull();
    try (LoadedModel hf =
        ModelLoader.load(manager, out.resolve("hf"), ModelLoader.Options.fp32())) {
      assertThat(hf.config().tieWordEmbeddings()).isTrue();
    }
    // every weight of the export is the trained tensor of the last checkpoint (fp32 both sides)
    CheckpointStore store = new CheckpointStore(out, 5);
    Path last = store.latest().orElseThrow();
    try (SafetensorsFile hf = SafetensorsFile.open(out.resolve("hf/model.safetensors"));
        SafetensorsFile base = SafetensorsFile.open(MODEL.resolve("model.safetensors"));
        CheckpointReader checkpoint = store.reader(last)) {
      assertThat(store.manifest(last).layout().places().keySet()).isEqualTo(hf.tensors().keySet());
      Map<String, NDArray> trained = new LinkedHashMap<>();
      for (String name : hf.tensors().keySet()) {
        trained.put(name, manager.zeros(hf.load(manager, name).getShape()));
      }
      checkpoint.readNamed(trained, CheckpointStore.Field.PARAM);
      double change = 0;
      for (String name : base.tensors().keySet()) {
        float[] exported = hf.load(manager, name).toFloatArray();
        assertThat(maxAbsDiff(exported, trained.get(name).toFloatArray())).as(name).isZero();
        change = Math.max(change, maxAbsDiff(exported, base.load(manager, name).toFloatArray()));
      }
      assertThat(change).as("training changed the weights").isGreaterThan(1e-3);
    }

    // kubetune export of the same checkpoint loads and restores as train does: the same bytes
    byte[] trainedExport = Files.readAllBytes(out.resolve("hf/model.safetensors"));
    RunExport.Exported again = RunExport.fromCheckpoint(manager, job("full", out, 3, 3), out, null);
    assertThat(again.step()).isEqualTo(3);
    assertThat(Files.readAllBytes(again.result().hf().resolve("model.safetensors")))
        .isEqualTo(trainedExport);
  }

  @Test
  void aCheckpointOfAnotherMethodIsNeitherResumedNorExported() throws Exception {
    Path out = full().out();
    assertThatThrownBy(() -> train(job("lora", out, 4, 2), List.of()))
        .hasMessageContaining("was written by a run with a different method or model (full)");
    assertThatThrownBy(() -> RunExport.fromCheckpoint(manager, job("lora", out, 4, 2), out, null))
        .hasMessageContaining("was written by a run with a different method or model (full)");
  }

  @Test
  void bf16ComputeTrainsWithFp32AdaptersAndExports() throws Exception {
    TrainingRun.Outcome outcome = train(job("lora", dir.resolve("bf16"), 6, 6, "bf16"), List.of());
    double first = outcome.history().get(0).loss();
    double last = outcome.history().get(outcome.history().size() - 1).loss();
    assertThat(last).isLessThan(first);
    try (SafetensorsFile adapter =
        SafetensorsFile.open(outcome.export().adapter().resolve("adapter_model.safetensors"))) {
      assertThat(adapter.tensors().values()).allMatch(t -> t.dtype() == Dtype.F32);
    }
  }

  @Test
  void progressGoesThroughEveryPhaseToDoneWithTheStepCount() throws Exception {
    List<TrainingProgress> seen = lora().progress();
    assertThat(seen.get(0).phase()).isEqualTo(TrainingProgress.Phase.LOADING);
    assertThat(seen)
        .extracting(TrainingProgress::phase)
        .contains(
            TrainingProgress.Phase.TRAINING,
            TrainingProgress.Phase.CHECKPOINTING,
            TrainingProgress.Phase.EXPORTING);
    TrainingProgress last = seen.get(seen.size() - 1);
    assertThat(last.phase()).isEqualTo(TrainingProgress.Phase.DONE);
    assertThat(last.step()).isEqualTo(6);
    assertThat(last.totalSteps()).isEqualTo(6);
  }

  private float[] logits(CausalLm model, long[] ids) {
    NDArray input = manager.create(ids, new Shape(1, ids.length));
    NDArray pos = manager.arange(0, ids.length, 1, DataType.INT64).reshape(1, -1);
    return model.logits(model.hidden(input, pos, AttentionMask.causal())).toFloatArray();
  }

  private void assertSameTensors(Path a, Path b, double tolerance) throws IOException {
    try (SafetensorsFile fa = SafetensorsFile.open(a);
        SafetensorsFile fb = SafetensorsFile.open(b)) {
      assertThat(fb.tensors().keySet()).isEqualTo(fa.tensors().keySet());
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
