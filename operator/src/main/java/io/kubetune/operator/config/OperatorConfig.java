package io.kubetune.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The operator's own settings (application.properties or KUBETUNE_* environment variables). */
@ConfigMapping(prefix = "kubetune")
public interface OperatorConfig {

  /** The default trainer/server image. */
  String DEFAULT_IMAGE = "kubetune/trainer:0.1.0";

  Trainer trainer();

  Progress progress();

  /** The trainer container. */
  interface Trainer {
    /** Image of the training and serving pods unless a spec names one. */
    @WithDefault(DEFAULT_IMAGE)
    String image();
  }

  /** Polling the trainer's progress endpoint. */
  interface Progress {
    /** How often a running job's progress is read (at most every 5 s in production). */
    @WithDefault("5S")
    Duration pollInterval();

    /** Connect and read timeout of one progress request. */
    @WithDefault("2S")
    Duration timeout();
  }
}
