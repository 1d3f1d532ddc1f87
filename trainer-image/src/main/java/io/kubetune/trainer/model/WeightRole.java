package io.kubetune.trainer.model;

/** What a weight tensor does in a Llama-family model, independent of its checkpoint name. */
public enum WeightRole {
  EMBED(false),
  FINAL_NORM(false),
  LM_HEAD(false),
  ATTN_NORM(true),
  Q(true),
  K(true),
  V(true),
  Q_BIAS(true),
  K_BIAS(true),
  V_BIAS(true),
  QKV(true),
  QKV_BIAS(true),
  O(true),
  MLP_NORM(true),
  GATE(true),
  UP(true),
  DOWN(true);

  private final boolean perLayer;

  WeightRole(boolean perLayer) {
    this.perLayer = perLayer;
  }

  public boolean perLayer() {
    return perLayer;
  }
}
