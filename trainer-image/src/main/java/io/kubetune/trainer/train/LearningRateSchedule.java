package io.kubetune.trainer.train;

import io.kubetune.api.TrainingSpec;

/**
 * Linear warm-up then cosine, linear or constant, as transformers' get_*_schedule_with_warmup: the
 * learning rate of optimizer step k (0-based) is peak * factor(k).
 */
public record LearningRateSchedule(
    TrainingSpec.Schedule kind, double peak, long warmupSteps, long totalSteps) {

  public static LearningRateSchedule of(TrainingSpec training, long totalSteps) {
    long warmup = (long) Math.ceil(training.warmupRatio() * totalSteps);
    return new LearningRateSchedule(
        training.schedule(), training.learningRate(), warmup, totalSteps);
  }

  public double at(long step) {
    if (step < warmupSteps) {
      return peak * step / Math.max(1, warmupSteps);
    }
    double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return switch (kind) {
      case CONSTANT -> peak;
      case LINEAR -> peak * Math.max(0, 1 - progress);
      case COSINE -> peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    };
  }
}
