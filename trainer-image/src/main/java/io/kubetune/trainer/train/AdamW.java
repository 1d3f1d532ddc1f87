package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, step for step as torch.optim.AdamW (non-foreach): decay, the
 * two moment updates, bias correction, then p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). Ours
 * rather than DJL's so that its state can be checkpointed and matches PyTorch.
 */
public final class AdamW {
  /** Hyper-parameters. */
  public record Config(double beta1, double beta2, double eps, double weightDecay) {
    public static Config of(double weightDecay) {
      return new Config(0.9, 0.999, 1e-8, weightDecay);
    }
  }

  /** The first and second moments of one parameter. */
  public record Moments(NDArray m, NDArray v) {}

  private final Config config;
  private final NDManager manager;
  private final Map<String, Moments> moments = new LinkedHashMap<>();
  private long step;

  public AdamW(NDManager manager, Config config) {
    this.manager = manager;
    this.config = config;
  }

  public long step() {
    return step;
  }

  /** Applies one update to every parameter from its gradient, in place. */
  public void update(Map<String, NDArray> parameters, double lr) {
    step++;
    double bc1 = 1 - Math.pow(config.beta1(), step);
    double bc2 = 1 - Math.pow(config.beta2(), step);
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      NDArray p = e.getValue();
      NDArray g = p.getGradient();
      Moments s = moments.computeIfAbsent(e.getKey(), k -> zeroMoments(p));
      if (config.weightDecay() != 0) {
        p.muli(1 - lr * config.weightDecay());
      }
      s.m().muli(config.beta1()).addi(g.mul(1 - config.beta1()));
      s.v().muli(config.beta2()).addi(g.square().muli(1 - config.beta2()));
      NDArray denom = s.v().sqrt().divi(Math.sqrt(bc2)).addi(config.eps());
      p.subi(s.m().div(denom).muli(lr / bc1));
      denom.close();
    }
  }

  private Moments zeroMoments(NDArray p) {
    NDArray m = manager.zeros(p.getShape());
    NDArray v = manager.zeros(p.getShape());
    // optimizer state outlives the per-step NDScope it is first created in
    NDScope.unregister(m, v);
    return new Moments(m, v);
  }

  /** The moments by parameter name, for checkpoints. */
  public Map<String, Moments> moments() {
    return Collections.unmodifiableMap(moments);
  }

  /** Restores state written by a checkpoint. */
  public void restore(long step, Map<String, Moments> saved) {
    this.step = step;
    moments.clear();
    moments.putAll(saved);
  }
}
