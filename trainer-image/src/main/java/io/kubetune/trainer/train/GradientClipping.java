package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/**
 * Global-norm clipping as torch.nn.utils.clip_grad_norm_ (DJL's own clipping clamps one side only:
 * docs/runtime-notes.md).
 */
public final class GradientClipping {
  private GradientClipping() {}

  /** The global L2 norm of the gradients. */
  public static double norm(Collection<NDArray> parameters) {
    double sum = 0;
    for (NDArray p : parameters) {
      try (NDArray sq = p.getGradient().square().sum()) {
        sum += sq.getFloat();
      }
    }
    return Math.sqrt(sum);
  }

  /** Scales the gradients so their global norm is at most maxNorm; returns the norm before. */
  public static double clip(Collection<NDArray> parameters, double maxNorm) {
    double norm = norm(parameters);
    if (maxNorm > 0) {
      double coef = maxNorm / (norm + 1e-6);
      if (coef < 1) {
        for (NDArray p : parameters) {
          p.getGradient().muli(coef);
        }
      }
    }
    return norm;
  }
}
