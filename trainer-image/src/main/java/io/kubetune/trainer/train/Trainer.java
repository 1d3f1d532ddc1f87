package io.kubetune.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
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
 * The training loop: each optimizer step runs its micro-batches forward and backward (the loss of
 * each divided by the step's total target count, so accumulation equals one big batch), clips the
 * global gradient norm, steps AdamW at the scheduled learning rate, then checkpoints and samples
 * evaluation replies on their cadence. Deterministic for a seed: dropout's random stream is
 * re-seeded per micro-batch from (seed, step, micro-batch), so a resumed run repeats exactly.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /** The loop's settings. */
  public record Settings(
      long totalSteps,
      int gradientAccumulation,
      double maxGradNorm,
      int checkpointEvery,
      int evaluateEvery,
      List<String> evaluationPrompts,
      long seed) {}

  /** How a run ended. */
  public record Result(List<CheckpointState.StepRecord> history, Path lastCheckpoint) {}

  private final NDManager manager;
  private final TrainableModel model;
  private final TrainingDataIterator data;
  private final AdamW optimizer;
  private final LearningRateSchedule schedule;
  private final CheckpointStore checkpoints;
  private final Settings settings;
  private final List<TrainingListener> listeners;
  private final ReplySampler sampler;
  private final ProgressTracker tracker;

  public Trainer(
      NDManager manager,
      TrainableModel model,
      TrainingDataIterator data,
      AdamW optimizer,
      LearningRateSchedule schedule,
      CheckpointStore checkpoints,
      Settings settings,
      List<TrainingListener> listeners,
      ReplySampler sampler,
      Clock clock) {
    this.manager = manager;
    this.model = model;
    this.data = data;
    this.optimizer = optimizer;
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
      for (TrainingListener l : listeners) {
        l.onStep(record, progress);
        l.onProgress(progress);
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
    while (out.size() < settings.gradientAccumulation() && data.hasNext()) {
      out.add(data.next());
    }
    return out;
  }

  private CheckpointState.StepRecord step(long step, List<Batch> micro) {
    long targets = micro.stream().mapToLong(Batch::lossTokens).sum();
    long tokens = micro.stream().mapToLong(Batch::tokens).sum();
    double lr = schedule.at(step);
    if (targets == 0) {
      LOG.warn("step {}: no token has a label; the step changes nothing", step + 1);
      return new CheckpointState.StepRecord(step + 1, Double.NaN, lr, 0, tokens);
    }
    double lossSum = 0;
    try (NDScope scope = new NDScope()) {
      for (int i = 0; i < micro.size(); i++) {
        Engine.getEngine("PyTorch").setRandomSeed(dropoutSeed(step, i));
        BatchTensors batch = BatchTensors.of(manager, micro.get(i));
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray hidden =
              model.trainingView().hidden(batch.inputIds(), batch.positions(), batch.mask());
          NDArray sum = CausalLmLoss.sum(model.trainingView(), hidden, batch.labels());
          lossSum += sum.getFloat();
          collector.backward(sum.div(targets));
        }
      }
      double norm = GradientClipping.clip(model.trainable().values(), settings.maxGradNorm());
      optimizer.update(model.trainable(), lr);
      for (NDArray p : model.trainable().values()) {
        NDArray g = p.getGradient();
        g.subi(g);
      }
      scope.suppressNotUsedWarning();
      return new CheckpointState.StepRecord(step + 1, lossSum / targets, lr, norm, tokens);
    }
  }

  private int dropoutSeed(long step, int micro) {
    long mixed = settings.seed() * 0x9E3779B97F4A7C15L + step * 1_000_003L + micro;
    return (int) (mixed ^ (mixed >>> 32));
  }

  private Path save(long step, List<CheckpointState.StepRecord> records) throws IOException {
    CheckpointState state =
        new CheckpointState(
            step,
            settings.totalSteps(),
            data.position(),
            optimizer.step(),
            model.method().name().toLowerCase(java.util.Locale.ROOT),
            model.fingerprint(),
            records,
            Instant.now().toString());
    Path dir = checkpoints.save(state, model.trainable(), optimizer);
    LOG.info("checkpoint {} written", checkpoints.root().getParent().relativize(dir));
    return dir;
  }

  private void evaluate(long step) {
    for (String prompt : settings.evaluationPrompts()) {
      String reply = sampler.reply(prompt);
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
