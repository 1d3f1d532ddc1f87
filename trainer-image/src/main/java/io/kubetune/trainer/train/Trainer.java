package io.kubetune.trainer.train;

import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.data.Batch;
import io.kubetune.trainer.data.TrainingDataIterator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: each optimizer step takes the step's micro-batches of the whole job from the
 * data stream (every rank reads the same stream) and hands them to the {@link StepEngine}, which
 * runs this rank's share forward and backward (the loss token-weighted over the whole step, so
 * accumulation and ranks equal one big batch), clips the global gradient norm and steps AdamW at
 * the scheduled learning rate; then the loop checkpoints and samples evaluation replies on their
 * cadence. Deterministic for a seed, so a resumed run repeats exactly.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /**
   * The loop's settings.
   *
   * @param microBatchesPerStep micro-batches of one optimizer step over the whole job: gradient
   *     accumulation times the world size
   */
  public record Settings(
      long totalSteps,
      int microBatchesPerStep,
      int checkpointEvery,
      int evaluateEvery,
      List<String> evaluationPrompts) {}

  /** How a run ended. */
  public record Result(List<CheckpointState.StepRecord> history, Path lastCheckpoint) {}

  private final StepEngine engine;
  private final TrainableModel model;
  private final TrainingDataIterator data;
  private final LearningRateSchedule schedule;
  private final CheckpointStore checkpoints;
  private final Settings settings;
  private final List<TrainingListener> listeners;
  private final ReplySampler sampler;
  private final ProgressTracker tracker;

  public Trainer(
      StepEngine engine,
      TrainableModel model,
      TrainingDataIterator data,
      LearningRateSchedule schedule,
      CheckpointStore checkpoints,
      Settings settings,
      List<TrainingListener> listeners,
      ReplySampler sampler,
      Clock clock) {
    this.engine = engine;
    this.model = model;
    this.data = data;
    this.schedule = schedule;
    this.checkpoints = checkpoints;
    this.settings = settings;
    this.listeners = List.copyOf(listeners);
    this.sampler = sampler;
    this.tracker = new ProgressTracker(clock, settings.totalSteps());
  }

  /**
   * Trains from startStep to the last step.
   *
   * @param history the steps before startStep (from the checkpoint resumed from)
   * @param lastCheckpoint the checkpoint resumed from, or null
   */
  public Result run(long startStep, List<CheckpointState.StepRecord> history, Path lastCheckpoint)
      throws IOException {
    List<CheckpointState.StepRecord> records = new ArrayList<>(history);
    Path checkpoint = lastCheckpoint;
    long step = startStep;
    while (step < settings.totalSteps()) {
      List<Batch> micro = nextMicroBatches();
      if (micro.isEmpty()) {
        LOG.warn("the data ran out at step {} of {}", step, settings.totalSteps());
        break;
      }
      long started = System.nanoTime();
      CheckpointState.StepRecord record = step(step, micro);
      tracker.stepDone(System.nanoTime() - started, record.tokens());
      records.add(record);
      step++;
      TrainingProgress progress =
          progress(step, record, TrainingProgress.Phase.TRAINING, relative(checkpoint));
      RankFigures figures = engine.figures();
      for (TrainingListener l : listeners) {
        l.onStep(record, progress);
        l.onProgress(progress);
        l.onRankStep(figures);
      }
      boolean last = step == settings.totalSteps() || !data.hasNext();
      if (settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0 || last) {
        notifyPhase(step, record, TrainingProgress.Phase.CHECKPOINTING, relative(checkpoint));
        checkpoint = save(step, records);
        for (TrainingListener l : listeners) {
          l.onCheckpoint(checkpoint);
        }
        notifyPhase(step, record, TrainingProgress.Phase.TRAINING, relative(checkpoint));
      }
      if (!settings.evaluationPrompts().isEmpty()
          && (step % settings.evaluateEvery() == 0 || last)) {
        evaluate(step);
      }
    }
    return new Result(records, checkpoint);
  }

  private List<Batch> nextMicroBatches() {
    List<Batch> out = new ArrayList<>();
    while (out.size() < settings.microBatchesPerStep() && data.hasNext()) {
      out.add(data.next());
    }
    return out;
  }

  private CheckpointState.StepRecord step(long step, List<Batch> micro) {
    CheckpointState.StepRecord record = engine.step(step, micro, schedule.at(step));
    if (Double.isNaN(record.loss())) {
      LOG.warn("step {}: no token has a label; the step changes nothing", step + 1);
    }
    return record;
  }

  private Path save(long step, List<CheckpointState.StepRecord> records) throws IOException {
    CheckpointState state =
        new CheckpointState(
            step,
            settings.totalSteps(),
            data.position(),
            engine.optimizerStep(),
            model.method().name().toLowerCase(java.util.Locale.ROOT),
            model.fingerprint(),
            records,
            Instant.now().toString());
    Path dir = engine.save(checkpoints, state);
    LOG.info("checkpoint {} written", checkpoints.root().getParent().relativize(dir));
    return dir;
  }

  private void evaluate(long step) {
    for (String prompt : settings.evaluationPrompts()) {
      String reply = engine.withFullModel(() -> sampler.reply(prompt));
      listeners.forEach(l -> l.onEvaluation(step, prompt, reply));
    }
  }

  private void notifyPhase(
      long step, CheckpointState.StepRecord record, TrainingProgress.Phase phase, String ckpt) {
    TrainingProgress p = progress(step, record, phase, ckpt);
    listeners.forEach(l -> l.onProgress(p));
  }

  private TrainingProgress progress(
      long step, CheckpointState.StepRecord record, TrainingProgress.Phase phase, String ckpt) {
    return tracker.progress(
        step, data.position().epoch() + 1, record.loss(), record.learningRate(), phase, ckpt);
  }

  private String relative(Path checkpoint) {
    return checkpoint == null
        ? null
        : checkpoints.root().getParent().relativize(checkpoint).toString();
  }
}
