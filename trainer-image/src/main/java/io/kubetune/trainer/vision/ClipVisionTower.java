package io.kubetune.trainer.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CLIP ViT image encoder (transformers' CLIPVisionTransformer): patch embedding (a convolution
 * with stride = patch size), a CLS token, learned positions, pre-norm, then pre-norm transformer
 * layers (LayerNorm, bidirectional attention, LayerNorm, fc1 / quick_gelu / fc2). Runs in float32.
 * Parameters are named as in CLIPVisionTransformer ({@code embeddings.patch_embedding.weight},
 * {@code encoder.layers.0.self_attn.q_proj.weight}, ...).
 */
public final class ClipVisionTower {
  private final ClipVisionConfig config;
  private final Map<String, NDArray> params;

  public ClipVisionTower(ClipVisionConfig config, Map<String, NDArray> params) {
    this.config = config;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public ClipVisionConfig config() {
    return config;
  }

  /** Every parameter by CLIPVisionTransformer name. */
  public Map<String, NDArray> parameters() {
    return params;
  }

  /** The tensors a CLIP ViT of this shape has, with their shapes, in checkpoint order. */
  public static Map<String, Shape> expectedShapes(ClipVisionConfig c) {
    long d = c.hiddenSize();
    long f = c.intermediateSize();
    long p = c.patchSize();
    Map<String, Shape> out = new LinkedHashMap<>();
    out.put("embeddings.class_embedding", new Shape(d));
    out.put("embeddings.patch_embedding.weight", new Shape(d, c.numChannels(), p, p));
    out.put("embeddings.position_embedding.weight", new Shape(c.patches() + 1, d));
    out.put("pre_layrnorm.weight", new Shape(d));
    out.put("pre_layrnorm.bias", new Shape(d));
    for (int i = 0; i < c.numLayers(); i++) {
      String l = "encoder.layers." + i + ".";
      for (String proj : List.of("k_proj", "v_proj", "q_proj", "out_proj")) {
        out.put(l + "self_attn." + proj + ".weight", new Shape(d, d));
        out.put(l + "self_attn." + proj + ".bias", new Shape(d));
      }
      out.put(l + "layer_norm1.weight", new Shape(d));
      out.put(l + "layer_norm1.bias", new Shape(d));
      out.put(l + "mlp.fc1.weight", new Shape(f, d));
      out.put(l + "mlp.fc1.bias", new Shape(f));
      out.put(l + "mlp.fc2.weight", new Shape(d, f));
      out.put(l + "mlp.fc2.bias", new Shape(d));
      out.put(l + "layer_norm2.weight", new Shape(d));
      out.put(l + "layer_norm2.bias", new Shape(d));
    }
    out.put("post_layernorm.weight", new Shape(d));
    out.put("post_layernorm.bias", new Shape(d));
    return out;
  }

  /**
   * transformers' hidden_states[layer] for pixel values [N, 3, S, S]: index 0 is the embeddings
   * after pre_layrnorm, i the output of encoder layer i-1; a negative index counts from the end (-1
   * the last layer, -2 LLaVA-1.5's choice). Only the layers needed run.
   *
   * @return [N, patches + 1, hidden], CLS first
   */
  public NDArray hiddenState(NDArray pixels, int layer) {
    int index = layer < 0 ? config.numLayers() + 1 + layer : layer;
    if (index < 0 || index > config.numLayers()) {
      throw new IllegalArgumentException(
          "vision feature layer "
              + layer
              + " is outside the tower's "
              + config.numLayers()
              + " layers");
    }
    NDArray x = embeddings(pixels);
    for (int i = 0; i < index; i++) {
      x = encoderLayer(i, x);
    }
    return x;
  }

  /** Every hidden state (transformers' output_hidden_states), for tests. */
  public List<NDArray> hiddenStates(NDArray pixels) {
    List<NDArray> out = new ArrayList<>();
    NDArray x = embeddings(pixels);
    out.add(x);
    for (int i = 0; i < config.numLayers(); i++) {
      x = encoderLayer(i, x);
      out.add(x);
    }
    return out;
  }

  private NDArray embeddings(NDArray pixels) {
    Shape s = pixels.getShape();
    int size = config.imageSize();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != size || s.get(3) != size) {
      throw new IllegalArgumentException(
          "pixel values must be [N, 3, " + size + ", " + size + "], got " + s);
    }
    long n = s.get(0);
    long d = config.hiddenSize();
    long p = config.patchSize();
    NDArray x = Aten.to(pixels, io.kubetune.trainer.torch.Dtype.F32);
    NDArray patches =
        x.getNDArrayInternal()
            .convolution(
                x,
                p("embeddings.patch_embedding.weight"),
                null,
                new Shape(p, p),
                new Shape(0, 0),
                new Shape(1, 1),
                1)
            .singletonOrThrow();
    NDArray tokens = patches.reshape(n, d, config.patches()).transpose(0, 2, 1);
    NDArray cls = p("embeddings.class_embedding").reshape(1, 1, d).broadcast(new Shape(n, 1, d));
    NDArray joined = JniUtils.cat(new PtNDArray[] {(PtNDArray) cls, (PtNDArray) tokens}, 1);
    NDArray embedded = joined.add(p("embeddings.position_embedding.weight"));
    return layerNorm(embedded, "pre_layrnorm");
  }

  private NDArray encoderLayer(int i, NDArray x) {
    String l = "encoder.layers." + i + ".";
    NDArray h = attention(l + "self_attn.", layerNorm(x, l + "layer_norm1"));
    x = x.add(h);
    NDArray m = linear(layerNorm(x, l + "layer_norm2"), l + "mlp.fc1");
    m = activation(m);
    return x.add(linear(m, l + "mlp.fc2"));
  }

  private NDArray attention(String prefix, NDArray x) {
    Shape s = x.getShape();
    long n = s.get(0);
    long t = s.get(1);
    int heads = config.numHeads();
    int dh = config.headDim();
    NDArray q = heads(linear(x, prefix + "q_proj"), n, t, heads, dh);
    NDArray k = heads(linear(x, prefix + "k_proj"), n, t, heads, dh);
    NDArray v = heads(linear(x, prefix + "v_proj"), n, t, heads, dh);
    NDArray o = Aten.scaledDotProductAttention(q, k, v, null, false, false);
    return linear(o.transpose(0, 2, 1, 3).reshape(n, t, (long) heads * dh), prefix + "out_proj");
  }

  private static NDArray heads(NDArray x, long n, long t, int heads, int dh) {
    return x.reshape(n, t, heads, dh).transpose(0, 2, 1, 3);
  }

  private NDArray activation(NDArray x) {
    if (config.hiddenAct().equals("gelu")) {
      return JniUtils.gelu((PtNDArray) x);
    }
    // quick_gelu: x * sigmoid(1.702 x)
    NDArray scale = Tensors.scalar(x.getManager(), 1.702f);
    return x.mul(JniUtils.sigmoid((PtNDArray) x.mul(scale)));
  }

  private NDArray linear(NDArray x, String module) {
    return Aten.linear(x, p(module + ".weight"), p(module + ".bias"));
  }

  private NDArray layerNorm(NDArray x, String module) {
    return JniUtils.layerNorm(
        (PtNDArray) x,
        new Shape(config.hiddenSize()),
        (PtNDArray) p(module + ".weight"),
        (PtNDArray) p(module + ".bias"),
        config.layerNormEps());
  }

  private NDArray p(String name) {
    NDArray t = params.get(name);
    if (t == null) {
      throw new IllegalStateException("the vision tower has no tensor " + name);
    }
    return t;
  }
}
