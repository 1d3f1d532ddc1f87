package io.kubetune.trainer.serve;

/** What the engine reports as it works; the server turns these into Prometheus metrics. */
public interface EngineMetrics {
  default void queueDepth(int depth) {}

  default void batchSize(int active) {}

  default void timeToFirstToken(double seconds) {}

  default void interTokenLatency(double seconds) {}

  default void tokens(int prompt, int completion) {}

  EngineMetrics NONE = new EngineMetrics() {};
}
