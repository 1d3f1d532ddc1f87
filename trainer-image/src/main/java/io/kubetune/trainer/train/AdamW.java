package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;

/**
 * AdamW with decoupled weight decay, step for step as torch.optim.AdamW (non-foreach): decay, the
 * two moment updates, bias correction, then p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). Ours
 * rather than DJL's so that its state can be sharded and checkpointed and matches PyTorch. The ZeRO
 * engine keeps the moments (flat per unit) and calls {@link #apply}.
 */
public final class AdamW {
  /** Hyper-parameters. */
  public record Config(double beta1, double beta2, double eps, double weightDecay) {
    public static Config of(double weightDecay) {
      return new Config(0.9, 0.999, 1e-8, weightDecay);
    }
  }

  /** The first and second moments of one parameter (or one flat range of parameters). */
  public record Moments(NDArray m, NDArray v) {}

  private AdamW() {}

  /**
   * One AdamW update of p (in place) from gradient g and moments s (updated in place), at optimizer
   * step number step (1 for the first): torch.optim.AdamW's arithmetic, element for element. Each
   * temporary is freed as soon as it is used: the engine calls this inside the step's scope, where
   * a temporary left open would live until the step ends (three of them per unit, each as large as
   * the unit, once held 5.6 GB at the 0.5B shape).
   */
  public static void apply(Config config, long step, double lr, NDArray p, NDArray g, Moments s) {
    double bc1 = 1 - Math.pow(config.beta1(), step);
    double bc2 = 1 - Math.pow(config.beta2(), step);
    if (config.weightDecay() != 0) {
      p.muli(1 - lr * config.weightDecay());
    }
    try (NDArray scaled = g.mul(1 - config.beta1())) {
      s.m().muli(config.beta1()).addi(scaled);
    }
    try (NDArray squared = g.square()) {
      s.v().muli(config.beta2()).addi(squared.muli(1 - config.beta2()));
    }
    try (NDArray denom = s.v().sqrt();
        NDArray update = s.m().div(denom.divi(Math.sqrt(bc2)).addi(config.eps()))) {
      p.subi(update.muli(lr / bc1));
    }
  }
}
