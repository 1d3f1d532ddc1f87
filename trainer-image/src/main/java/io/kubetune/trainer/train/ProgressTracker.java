package io.kubetune.trainer.train;

import io.kubetune.api.TrainingProgress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Computes throughput and time left from recent steps (a sliding window, so a slow first step or a
 * checkpoint pause does not skew the estimate for long).
 */
final class ProgressTracker {
  private static final int WINDOW = 20;
  private final Clock clock;
  private final long totalSteps;
  private final Deque<long[]> recent = new ArrayDeque<>(); // {nanos, tokens}
  private long stepsInWindowStart;

  ProgressTracker(Clock clock, long totalSteps) {
    this.clock = clock;
    this.totalSteps = totalSteps;
  }

  void stepDone(long nanos, long tokens) {
    recent.addLast(new long[] {nanos, tokens});
    if (recent.size() > WINDOW) {
      recent.removeFirst();
      stepsInWindowStart++;
    }
  }

  double tokensPerSecond() {
    long nanos = recent.stream().mapToLong(r -> r[0]).sum();
    long tokens = recent.stream().mapToLong(r -> r[1]).sum();
    return nanos == 0 ? 0 : tokens / (nanos / 1e9);
  }

  long secondsLeft(long step) {
    if (recent.isEmpty()) {
      return 0;
    }
    double perStep = recent.stream().mapToLong(r -> r[0]).average().orElse(0) / 1e9;
    return Math.round(perStep * Math.max(0, totalSteps - step));
  }

  TrainingProgress progress(
      long step,
      int epoch,
      double loss,
      double lr,
      TrainingProgress.Phase phase,
      String lastCheckpoint) {
    return new TrainingProgress(
        step,
        totalSteps,
        epoch,
        Double.isNaN(loss) ? 0 : loss,
        lr,
        tokensPerSecond(),
        secondsLeft(step),
        phase,
        lastCheckpoint,
        Instant.now(clock).toString());
  }
}
