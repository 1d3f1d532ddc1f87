package io.kubetune.trainer.zero;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.data.Batch;
import io.kubetune.trainer.dist.SingleProcess;
import io.kubetune.trainer.train.AdamW;
import io.kubetune.trainer.train.TrainableModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One engine step (one rank, stage 0) whose update gives back the gradient it followed: at AdamW's
 * first step the bias-corrected moments are m = g and v = g^2, so with eps 1, lr 1 and no weight
 * decay the update is u = g / (|g| + 1), and g = u / (1 - |u|) exactly.
 */
final class ImpliedGradients {
  private static final AdamW.Config LINEAR = new AdamW.Config(0.9, 0.999, 1.0, 0.0);

  /**
   * @param loss the step's loss
   * @param gradients each trainable tensor's gradient, read off its update
   */
  record Step(double loss, Map<String, NDArray> gradients) {}

  private ImpliedGradients() {}

  static Step of(NDManager manager, TrainableModel model, Batch batch) {
    Map<String, NDArray> before = new LinkedHashMap<>();
    model.trainable().forEach((n, t) -> before.put(n, t.duplicate()));
    double loss;
    Map<String, NDArray> gradients = new LinkedHashMap<>();
    try (ZeroEngine engine =
        new ZeroEngine(
            manager,
            model,
            new ZeroConfig(0, 0, 1, false),
            new SingleProcess(),
            LINEAR,
            0.0,
            42L)) {
      loss = engine.step(0, List.of(batch), 1.0).loss();
      before.forEach(
          (n, p) -> {
            NDArray u = p.sub(model.trainable().get(n));
            gradients.put(n, u.div(u.abs().neg().add(1f)));
          });
    }
    return new Step(loss, gradients);
  }

  static double maxAbs(NDArray a, NDArray b) {
    return a.reshape(-1).sub(b.reshape(-1)).abs().max().getFloat();
  }
}
