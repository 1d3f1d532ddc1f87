package io.kubetune.trainer.run;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.chat.ChatModel;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.data.BatchOptions;
import io.kubetune.trainer.data.DataPosition;
import io.kubetune.trainer.data.DatasetStats;
import io.kubetune.trainer.data.TrainingData;
import io.kubetune.trainer.data.TrainingDataIterator;
import io.kubetune.trainer.export.HfExporter;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.status.LossCurve;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.train.AdamW;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.LearningRateSchedule;
import io.kubetune.trainer.train.ReplySampler;
import io.kubetune.trainer.train.TrainableModel;
import io.kubetune.trainer.train.Trainer;
import io.kubetune.trainer.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code kubetune train} run, start to end: load the tokenizer, data and model, set up the
 * method, resume from the newest checkpoint if there is one, train, then export hf/ and adapter/
 * and draw the loss curve.
 */
public final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  /** What a finished run left in its output folder. */
  public record Outcome(
      Path outputDir,
      HfExporter.Result export,
      List<CheckpointState.StepRecord> history,
      Path lossCurve,
      boolean resumed) {}

  private final ResolvedJob job;
  private final Path outputDir;
  private final List<TrainingListener> listeners;
  private final ListenerFactory progressDisplay;

  /** Builds the progress display once the number of steps is known. */
  @FunctionalInterface
  public interface ListenerFactory {
    TrainingListener create(long totalSteps, long startStep);
  }

  /**
   * @param listeners notified throughout (e.g. the status server)
   * @param progressDisplay the console display, made when the plan is known
   */
  public TrainingRun(
      ResolvedJob job,
      Path outputDir,
      List<TrainingListener> listeners,
      ListenerFactory progressDisplay) {
    this.job = job;
    this.outputDir = outputDir;
    this.listeners = List.copyOf(listeners);
    this.progressDisplay = progressDisplay;
  }

  public Outcome run(NDManager parent) throws IOException {
    TrainingJobSpec spec = job.spec();
    Files.createDirectories(outputDir);
    phase(TrainingProgress.Phase.LOADING, 0, 0);
    try (NDManager manager = parent.newSubManager();
        Tokenizer tokenizer = Tokenizer.load(job.modelDir())) {
      TrainingData data = TrainingData.load(spec, job.datasetFiles(), tokenizer);
      for (DatasetStats s : data.stats()) {
        LOG.info("dataset {}", s.summary());
      }
      listeners.forEach(l -> l.onDatasets(data.stats()));
      CheckpointStore store = new CheckpointStore(outputDir, spec.checkpoint().keep());
      Optional<Path> latest = store.latest();
      if (latest.isEmpty()) {
        LOG.info("no checkpoint in {}: starting from step 0", store.root());
      }
      try (RunModel run = RunModel.load(manager, job, tokenizer, store, latest)) {
        LoadedModel loaded = run.loaded();
        TrainableModel model = run.model();
        LOG.info(
            "{} fine-tuning of {} ({} layers): {} trainable parameters",
            spec.method().type().name().toLowerCase(Locale.ROOT),
            loaded.config().architecture().modelType(),
            loaded.config().numLayers(),
            model.trainableParameterCount());
        AdamW optimizer = new AdamW(manager, AdamW.Config.of(spec.training().weightDecay()));
        Resume resume = resume(run, store, optimizer, manager);
        long totalSteps = totalSteps(spec, data);
        TrainingDataIterator batches = iterator(spec, data, totalSteps, resume.position());
        TrainingTemplate template = TrainingTemplate.of(spec, tokenizer);
        Set<Integer> stops = RunExport.stopTokens(job, loaded, tokenizer);
        List<TrainingListener> all = new ArrayList<>(listeners);
        TrainingListener display = progressDisplay.create(totalSteps, resume.step());
        all.add(display);
        Trainer trainer =
            new Trainer(
                manager,
                model,
                batches,
                optimizer,
                LearningRateSchedule.of(spec.training(), totalSteps),
                store,
                new Trainer.Settings(
                    totalSteps,
                    spec.training().gradientAccumulation(),
                    spec.training().maxGradNorm(),
                    spec.checkpoint().everySteps(),
                    spec.evaluation().everySteps(),
                    spec.evaluation().prompts(),
                    spec.training().seed()),
                all,
                evaluator(spec, model, tokenizer, template, stops, manager),
                Clock.systemUTC());
        Trainer.Result result;
        try {
          result = trainer.run(resume.step(), resume.history(), resume.checkpoint());
        } finally {
          if (display instanceof AutoCloseable c) {
            closeQuietly(c);
          }
        }
        long done =
            result.history().isEmpty()
                ? 0
                : result.history().get(result.history().size() - 1).step();
        phase(TrainingProgress.Phase.EXPORTING, done, totalSteps);
        HfExporter.Result export = RunExport.export(job, outputDir, run, tokenizer);
        LOG.info(
            "exported {}{}",
            export.hf(),
            export.adapter() == null ? "" : " and " + export.adapter());
        Path curve = outputDir.resolve("loss.png");
        try {
          LossCurve.write(curve, result.history(), "kubetune: " + spec.model().source());
        } catch (IOException | RuntimeException | Error e) {
          LOG.warn("could not draw the loss curve: {}", e.toString());
          curve = null;
        }
        phase(TrainingProgress.Phase.DONE, done, totalSteps);
        return new Outcome(outputDir, export, result.history(), curve, resume.checkpoint() != null);
      }
    }
  }

  private record Resume(
      long step,
      DataPosition position,
      List<CheckpointState.StepRecord> history,
      Path checkpoint) {}

  private Resume resume(RunModel run, CheckpointStore store, AdamW optimizer, NDManager manager)
      throws IOException {
    if (run.restoredFrom().isEmpty()) {
      return new Resume(0, DataPosition.START, List.of(), null);
    }
    Path dir = run.restoredFrom().get().dir();
    CheckpointState state = run.restoredFrom().get().state();
    optimizer.restore(
        state.optimizerStep(), store.moments(dir, run.model().trainable().keySet(), manager));
    LOG.info(
        "resuming from {} (step {} of {}, data at epoch {} sample {})",
        outputDir.relativize(dir),
        state.step(),
        state.totalSteps(),
        state.position().epoch() + 1,
        state.position().index());
    return new Resume(state.step(), state.position(), state.history(), dir);
  }

  /** Steps of the whole run: maxSteps, or every batch of every epoch in groups of accumulation. */
  static long totalSteps(TrainingJobSpec spec, TrainingData data) {
    if (spec.training().maxSteps() != null) {
      return spec.training().maxSteps();
    }
    TrainingDataIterator probe = data.batches(DataPosition.START);
    long batches = 0;
    for (int e = 0; e < spec.training().epochs(); e++) {
      batches += probe.batchesInEpoch(e);
    }
    int accumulation = spec.training().gradientAccumulation();
    return Math.max(1, (batches + accumulation - 1) / accumulation);
  }

  /** With maxSteps, the data repeats for as many epochs as the steps need. */
  private static TrainingDataIterator iterator(
      TrainingJobSpec spec, TrainingData data, long totalSteps, DataPosition start) {
    if (spec.training().maxSteps() == null) {
      return data.batches(start);
    }
    BatchOptions o = data.options();
    long perEpoch = Math.max(1, data.batches(DataPosition.START).batchesInEpoch(0));
    long needed = totalSteps * spec.training().gradientAccumulation();
    int epochs = (int) Math.min(Integer.MAX_VALUE / 2, needed / perEpoch + 2);
    BatchOptions repeated =
        new BatchOptions(
            o.microBatchSize(), o.maxLength(), o.packing(), o.padId(), o.seed(), epochs);
    return new TrainingDataIterator(data.datasets(), repeated, start);
  }

  private static ReplySampler evaluator(
      TrainingJobSpec spec,
      TrainableModel model,
      Tokenizer tokenizer,
      TrainingTemplate template,
      Set<Integer> stops,
      NDManager manager) {
    if (spec.evaluation().prompts().isEmpty() || template.renderer() == null) {
      return prompt -> "";
    }
    ChatModel chat =
        new ChatModel(model.evalView(), tokenizer, template.renderer(), stops, manager);
    SamplingParams greedy = SamplingParams.greedy(spec.evaluation().maxNewTokens(), stops);
    return prompt -> {
      List<ChatMessage> messages = new ArrayList<>();
      if (spec.evaluation().systemPrompt() != null) {
        messages.add(new ChatMessage("system", spec.evaluation().systemPrompt()));
      }
      messages.add(new ChatMessage("user", prompt));
      return chat.reply(messages, greedy, TokenListener.NONE).text();
    };
  }

  private void phase(TrainingProgress.Phase phase, long step, long total) {
    TrainingProgress p =
        new TrainingProgress(
            step, total, 0, Double.NaN, 0, 0, 0, phase, null, Instant.now().toString());
    listeners.forEach(l -> l.onProgress(p));
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("closing {}", c, e);
    }
  }
}
