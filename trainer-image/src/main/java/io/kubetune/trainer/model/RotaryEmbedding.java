package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;

/**
 * Rotary position embedding with HuggingFace's rotate-half layout and its rope_scaling variants
 * (llama3 frequency smoothing, linear, dynamic NTK).
 */
public final class RotaryEmbedding {
  private final ModelConfig config;
  private final float[] baseInvFreq;
  private final NDArray invFreq;

  public RotaryEmbedding(NDManager manager, ModelConfig config) {
    this.config = config;
    this.baseInvFreq = inverseFrequencies(config, config.ropeTheta());
    this.invFreq = owned(manager, baseInvFreq);
  }

  /** The inverse frequencies [head_dim / 2] used for sequences within max_position_embeddings. */
  public float[] inverseFrequencies() {
    return baseInvFreq.clone();
  }

  /**
   * cos and sin [B, 1, T, head_dim] for positions [B, T] (int64), in fp32.
   *
   * @param maxPosition the largest position in the batch, for dynamic NTK scaling
   */
  public NDList cosSin(NDArray positions, long maxPosition) {
    NDArray freqsPerDim = invFreq;
    RopeScaling s = config.ropeScaling();
    if (s != null
        && s.type().equals("dynamic")
        && maxPosition + 1 > config.maxPositionEmbeddings()) {
      double seqLen = maxPosition + 1;
      int dim = config.headDim();
      // InternLM2's definition (modeling_internlm2.py, InternLM2DynamicNTKScalingRotaryEmbedding):
      // the base grows with the sequence once it passes max_position_embeddings; torch then raises
      // it to the exponents in float32, hence the rounding
      double base =
          (float)
              (config.ropeTheta()
                  * Math.pow(
                      s.factor() * seqLen / config.maxPositionEmbeddings() - (s.factor() - 1),
                      dim / (dim - 2.0)));
      freqsPerDim = owned(positions.getManager(), inverseFrequencies(config, base));
    }
    NDArray pos = positions.toType(DataType.FLOAT32, false).expandDims(-1);
    NDArray freqs = pos.mul(freqsPerDim.reshape(1, 1, -1));
    NDArray emb = NDArrays.concat(new NDList(freqs, freqs), -1).expandDims(1);
    return new NDList(emb.cos(), emb.sin());
  }

  /** x * cos + rotate_half(x) * sin for x [B, H, T, D]; cos and sin are cast to x's dtype. */
  public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
    Dtype dtype = Aten.dtype(x);
    long half = x.getShape().get(3) / 2;
    NDArray x1 = Aten.narrow(x, 3, 0, half);
    NDArray x2 = Aten.narrow(x, 3, half, half);
    NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
    return x.mul(Aten.to(cos, dtype)).add(rotated.mul(Aten.to(sin, dtype)));
  }

  static float[] inverseFrequencies(ModelConfig config, double base) {
    int dim = config.headDim();
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      float exponent = (float) (2 * i) / dim;
      inv[i] = (float) (1.0 / (float) Math.pow(base, exponent));
    }
    RopeScaling s = config.ropeScaling();
    if (s == null || s.type().equals("dynamic")) {
      return inv;
    }
    if (s.type().equals("linear")) {
      for (int i = 0; i < inv.length; i++) {
        inv[i] = (float) (inv[i] / s.factor());
      }
      return inv;
    }
    return llama3(inv, s);
  }

  /** Meta's Llama 3.1 scaling: long wavelengths slowed by factor, short kept, a smooth blend. */
  private static float[] llama3(float[] inv, RopeScaling s) {
    double oldContext = s.originalMaxPositionEmbeddings();
    double lowFreqWavelen = oldContext / s.lowFreqFactor();
    double highFreqWavelen = oldContext / s.highFreqFactor();
    float[] out = new float[inv.length];
    for (int i = 0; i < inv.length; i++) {
      double wavelen = 2 * Math.PI / inv[i];
      if (wavelen < highFreqWavelen) {
        out[i] = inv[i];
      } else if (wavelen > lowFreqWavelen) {
        out[i] = (float) (inv[i] / s.factor());
      } else {
        double smooth =
            (oldContext / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
        out[i] = (float) ((1 - smooth) * inv[i] / s.factor() + smooth * inv[i]);
      }
    }
    return out;
  }

  private static NDArray owned(NDManager manager, float[] values) {
    return Tensors.float32(manager, values, new Shape(values.length));
  }
}
