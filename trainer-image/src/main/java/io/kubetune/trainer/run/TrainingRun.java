package io.kubetune.trainer.run;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.chat.ChatModel;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.data.BatchOptions;
import io.kubetune.trainer.data.DataPosition;
import io.kubetune.trainer.data.DatasetStats;
import io.kubetune.trainer.data.ImagePlaceholders;
import io.kubetune.trainer.data.TrainingData;
import io.kubetune.trainer.data.TrainingDataIterator;
import io.kubetune.trainer.dist.CollectiveException;
import io.kubetune.trainer.dist.Collectives;
import io.kubetune.trainer.dist.SingleProcess;
import io.kubetune.trainer.error.KubetuneException;
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
import io.kubetune.trainer.train.RankFigures;
import io.kubetune.trainer.train.ReplySampler;
import io.kubetune.trainer.train.TrainableModel;
import io.kubetune.trainer.train.Trainer;
import io.kubetune.trainer.train.TrainingListener;
import io.kubetune.trainer.vision.LlavaSource;
import io.kubetune.trainer.zero.StateBytes;
import io.kubetune.trainer.zero.ZeroConfig;
import io.kubetune.trainer.zero.ZeroEngine;
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
 * One {@code kubetune train} run, start to end, on one rank of the job: load the tokenizer, data
 * and model, set up the method and the ZeRO engine, resume from the newest complete checkpoint if
 * there is one (the one rank 0 sees), train this rank's share, then (rank 0) export hf/ and
 * adapter/ and draw the loss curve. A single process is a job of one rank.
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
  private final Collectives group;

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
    this(job, outputDir, listeners, progressDisplay, new SingleProcess());
  }

  /**
   * @param group this rank's member of the job's process group (every rank runs a TrainingRun)
   */
  public TrainingRun(
      ResolvedJob job,
      Path outputDir,
      List<TrainingListener> listeners,
      ListenerFactory progressDisplay,
      Collectives group) {
    this.job = job;
    this.outputDir = outputDir;
    this.listeners = List.copyOf(listeners);
    this.progressDisplay = progressDisplay;
    this.group = group;
  }

  public Outcome run(NDManager parent) throws IOException {
    TrainingJobSpec spec = job.spec();
    Files.createDirectories(outputDir);
    phase(TrainingProgress.Phase.LOADING, 0, 0);
    try (NDManager manager = parent.newSubManager();
        Tokenizer tokenizer = RunModel.tokenizer(job)) {
      Optional<LlavaSource> llava = RunModel.llavaSource(job);
      if (llava.isPresent() && group.world() > 1) {
        // its image side is not laid out for sharding nor gathered for export yet
        throw new KubetuneException(
            TrainerExitCodes.CONFIG_ERROR,
            "model: a LLaVA model trains on one rank only (this run has "
                + group.world()
                + "); use resources.nodes 1 with at most one GPU, or no --nproc");
      }
      ImagePlaceholders images =
          llava
              .map(l -> new ImagePlaceholders(l.config().imageTokenId(), l.config().imageTokens()))
              .orElse(null);
      TrainingData data =
          TrainingData.load(spec, job.datasetFiles(), job.imageFolders(), tokenizer, images);
      for (DatasetStats s : data.stats()) {
        LOG.info("dataset {}", s.summary());
      }
      listeners.forEach(l -> l.onDatasets(data.stats()));
      CheckpointStore store = new CheckpointStore(outputDir, spec.checkpoint().keep());
      Optional<Path> latest = agreedLatest(store);
      if (latest.isEmpty()) {
        LOG.info("no checkpoint in {}: starting from step 0", store.root());
      }
      boolean sharded = group.world() > 1 && spec.distributed().zeroStage() == 3;
      try (RunModel run = RunModel.load(manager, job, tokenizer, store, latest, sharded)) {
        LoadedModel loaded = run.loaded();
        TrainableModel model = run.model();
        LOG.info(
            "{} fine-tuning of {} ({} layers): {} trainable parameters",
            method(spec, model),
            loaded.config().architecture().modelType(),
            loaded.config().numLayers(),
            model.trainableParameterCount());
        int world = group.world();
        ZeroConfig zero =
            new ZeroConfig(spec.distributed().zeroStage(), group.rank(), world, world > 1);
        try (ZeroEngine engine =
            new ZeroEngine(
                manager,
                model,
                zero,
                group,
                AdamW.Config.of(spec.training().weightDecay()),
                spec.training().maxGradNorm(),
                spec.training().seed())) {
          logState(engine);
          return train(run, engine, store, data, tokenizer, manager);
        }
      }
    }
  }

  private Outcome train(
      RunModel run,
      ZeroEngine engine,
      CheckpointStore store,
      TrainingData data,
      Tokenizer tokenizer,
      NDManager manager)
      throws IOException {
    TrainingJobSpec spec = job.spec();
    TrainableModel model = run.model();
    int world = group.world();
    Resume resume = resume(run, store, engine);
    long totalSteps = totalSteps(spec, data, world, resume);
    TrainingDataIterator batches = iterator(spec, data, totalSteps, resume.position(), world);
    TrainingTemplate template = TrainingTemplate.of(spec, tokenizer);
    Set<Integer> stops = RunExport.stopTokens(job, run.loaded(), tokenizer);
    List<TrainingListener> all = new ArrayList<>(listeners);
    TrainingListener display = progressDisplay.create(totalSteps, resume.step());
    all.add(display);
    Trainer trainer =
        new Trainer(
            engine,
            model,
            batches,
            LearningRateSchedule.of(spec.training(), totalSteps),
            store,
            new Trainer.Settings(
                totalSteps,
                spec.training().gradientAccumulation() * world,
                spec.checkpoint().everySteps(),
                spec.evaluation().everySteps(),
                spec.evaluation().prompts()),
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
        result.history().isEmpty() ? 0 : result.history().get(result.history().size() - 1).step();
    phase(TrainingProgress.Phase.EXPORTING, done, totalSteps);
    logFigures(engine);
    HfExporter.Result export = export(engine, run, tokenizer);
    Path curve = group.rank() == 0 ? lossCurve(result) : null;
    phase(TrainingProgress.Phase.DONE, done, totalSteps);
    return new Outcome(outputDir, export, result.history(), curve, resume.checkpoint() != null);
  }

  /** Every rank's own summary: what it held and its peak memory (bench/zero_memory.sh reads it). */
  private void logFigures(ZeroEngine engine) {
    RankFigures f = engine.figures();
    LOG.info(
        "rank {} of {} (ZeRO stage {}): state {} MB (parameters {} MB, gradients {} MB, optimizer"
            + " {} MB), peak RSS {} MB, {} s in collectives",
        f.rank(),
        f.world(),
        f.zeroStage(),
        (f.parameterBytes() + f.gradientBytes() + f.optimizerBytes()) >> 20,
        f.parameterBytes() >> 20,
        f.gradientBytes() >> 20,
        f.optimizerBytes() >> 20,
        f.peakRssBytes() >> 20,
        String.format(Locale.ROOT, "%.1f", f.collectiveSeconds()));
  }

  private void logState(ZeroEngine engine) {
    if (group.world() > 1) {
      StateBytes state = engine.stateBytes();
      LOG.info(
          "rank {} of {}, ZeRO stage {}: this rank holds {} MB of parameters, {} MB of"
              + " gradients, {} MB of optimizer state",
          group.rank(),
          group.world(),
          engine.config().stage(),
          state.parameters() >> 20,
          state.gradients() >> 20,
          state.optimizer() >> 20);
    }
  }

  /**
   * Rank 0 exports, tensor by tensor (under ZeRO-3 the ranks gather one layer at a time for it);
   * the others then wait for it to finish, so that the ranks of a Job end together.
   */
  private HfExporter.Result export(ZeroEngine engine, RunModel run, Tokenizer tokenizer)
      throws IOException {
    HfExporter.Result export =
        engine.onRank0LayerByLayer(
            beforeRead -> RunExport.export(job, outputDir, run, tokenizer, beforeRead));
    if (group.rank() == 0) {
      LOG.info(
          "exported {}{}", export.hf(), export.adapter() == null ? "" : " and " + export.adapter());
      group.signalDone("export");
    } else {
      group.awaitRank0("export");
    }
    return export;
  }

  private Path lossCurve(Trainer.Result result) {
    Path curve = outputDir.resolve("loss.png");
    try {
      LossCurve.write(curve, result.history(), "kubetune: " + job.spec().model().source());
      return curve;
    } catch (IOException | RuntimeException | Error e) {
      LOG.warn("could not draw the loss curve: {}", e.toString());
      return null;
    }
  }

  private record Resume(
      long step,
      DataPosition position,
      List<CheckpointState.StepRecord> history,
      Path checkpoint,
      int writtenBy,
      CheckpointState state) {}

  /**
   * RunModel has restored the trainable tensors; the engine takes the moments (and under ZeRO-3 its
   * own fp32 range of the parameters), re-sharded.
   */
  private Resume resume(RunModel run, CheckpointStore store, ZeroEngine engine) throws IOException {
    if (run.restoredFrom().isEmpty()) {
      return new Resume(0, DataPosition.START, List.of(), null, group.world(), null);
    }
    Path dir = run.restoredFrom().get().dir();
    CheckpointState state = run.restoredFrom().get().state();
    engine.restore(store, dir, state.optimizerStep());
    LOG.info(
        "resuming from {} (step {} of {}, data at epoch {} sample {})",
        outputDir.relativize(dir),
        state.step(),
        state.totalSteps(),
        state.position().epoch() + 1,
        state.position().index());
    int writtenBy = store.manifest(dir).world();
    if (writtenBy != group.world()) {
      LOG.info(
          "the checkpoint was written by {} ranks; re-sharded for {} on load",
          writtenBy,
          group.world());
    }
    return new Resume(state.step(), state.position(), state.history(), dir, writtenBy, state);
  }

  /**
   * Steps of a fresh run on one rank: maxSteps, or every batch of every epoch in groups of
   * accumulation.
   */
  public static long totalSteps(TrainingJobSpec spec, TrainingData data) {
    return totalSteps(spec, data, 1, new Resume(0, DataPosition.START, List.of(), null, 1, null));
  }

  /**
   * The newest complete checkpoint as rank 0 sees it, which every rank resumes from (on a shared
   * file system they all see it; a rank that does not fails rather than diverge).
   */
  private Optional<Path> agreedLatest(CheckpointStore store) throws IOException {
    Optional<Path> mine = store.latest();
    if (group.world() == 1) {
      return mine;
    }
    long step = mine.map(CheckpointStore::stepOf).orElse(-1L);
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      ai.djl.ndarray.NDArray chosen = m.create(new double[] {step}).duplicate();
      group.broadcast(chosen, 0, "the checkpoint to resume from");
      long agreed = (long) chosen.toDoubleArray()[0];
      if (agreed < 0) {
        return Optional.empty();
      }
      Path dir = store.dirOf(agreed);
      if (store.list().stream().noneMatch(dir::equals)) {
        throw new CollectiveException(
            "rank "
                + group.rank()
                + ": rank 0 resumes from "
                + dir
                + ", which this rank does not see complete: is the output folder shared?");
      }
      return Optional.of(dir);
    }
  }

  /**
   * Steps of the whole run: maxSteps, or every batch of every epoch in groups of accumulation x
   * world size. A run resumed at another world size re-plans the rest: the steps done, plus what
   * the remaining batches make at the new size.
   */
  private static long totalSteps(
      TrainingJobSpec spec, TrainingData data, int world, Resume resume) {
    if (spec.training().maxSteps() != null) {
      return spec.training().maxSteps();
    }
    long perStep = (long) spec.training().gradientAccumulation() * world;
    if (resume.state() != null && resume.writtenBy() != world) {
      TrainingDataIterator rest = data.batches(resume.position());
      long left = 0;
      while (rest.hasNext()) {
        rest.next();
        left++;
      }
      return resume.step() + (left + perStep - 1) / perStep;
    }
    TrainingDataIterator probe = data.batches(DataPosition.START);
    long batches = 0;
    for (int e = 0; e < spec.training().epochs(); e++) {
      batches += probe.batchesInEpoch(e);
    }
    return Math.max(1, (batches + perStep - 1) / perStep);
  }

  /** With maxSteps, the data repeats for as many epochs as the steps need. */
  private static TrainingDataIterator iterator(
      TrainingJobSpec spec, TrainingData data, long totalSteps, DataPosition start, int world) {
    if (spec.training().maxSteps() == null) {
      return data.batches(start);
    }
    BatchOptions o = data.options();
    long perEpoch = Math.max(1, data.batches(DataPosition.START).batchesInEpoch(0));
    long needed = totalSteps * spec.training().gradientAccumulation() * world;
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

  /** What learns, for the log: lora or full; for a LLaVA its stage too. */
  private static String method(TrainingJobSpec spec, TrainableModel model) {
    String type = spec.method().type().name().toLowerCase(Locale.ROOT);
    if (model.vision() == null) {
      return type;
    }
    return spec.method().effectiveStage() == MethodSpec.Stage.PRETRAIN
        ? "LLaVA pretrain (projector only)"
        : "LLaVA finetune (projector + " + type + ")";
  }
}
