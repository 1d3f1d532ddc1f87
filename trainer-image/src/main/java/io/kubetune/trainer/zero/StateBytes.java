package io.kubetune.trainer.zero;

/** Bytes of training state a rank holds between steps. */
public record StateBytes(long parameters, long gradients, long optimizer) {
  public static final StateBytes NONE = new StateBytes(0, 0, 0);

  public StateBytes plus(StateBytes o) {
    return new StateBytes(
        parameters + o.parameters, gradients + o.gradients, optimizer + o.optimizer);
  }

  public long total() {
    return parameters + gradients + optimizer;
  }
}
