package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.weights.Checkpoint;
import io.kubetune.trainer.weights.Checkpoints;
import io.kubetune.trainer.weights.SafetensorsFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link CausalLm} from a HuggingFace model directory (config.json + safetensors). */
public final class ModelLoader {

  /**
   * @param parameterDtype the dtype weights are kept in (null: as stored). A weight already in this
   *     dtype aliases the file mapping; others are converted copies.
   * @param computeDtype the dtype of activations
   */
  public record Options(Dtype parameterDtype, Dtype computeDtype, AttentionBackend backend) {
    public static Options fp32() {
      return new Options(Dtype.F32, Dtype.F32, new SdpaAttention());
    }

    public static Options bf16() {
      return new Options(Dtype.BF16, Dtype.BF16, new SdpaAttention());
    }
  }

  private ModelLoader() {}

  public static LoadedModel load(NDManager parent, Path dir, Options options) throws IOException {
    ModelConfig config = ModelConfig.load(dir);
    Checkpoint checkpoint = Checkpoints.open(dir);
    NDManager manager = parent.newSubManager();
    try {
      CausalLm model = build(manager, config, checkpoint, options);
      return new LoadedModel(dir, model, manager, checkpoint);
    } catch (IOException | RuntimeException e) {
      manager.close();
      checkpoint.close();
      throw e;
    }
  }

  /**
   * The model of config from checkpoint's tensors (named as in a causal-LM folder), e.g. the
   * language model inside a LLaVA checkpoint through a renaming view.
   */
  public static CausalLm build(
      NDManager manager, ModelConfig config, Checkpoint checkpoint, Options options)
      throws SafetensorsFormatException {
    WeightLayout layout = WeightLayout.of(config);
    Map<String, Shape> shapes = new LinkedHashMap<>();
    checkpoint.tensors().forEach((name, info) -> shapes.put(name, info.shape()));
    List<String> problems = layout.problems(shapes, config);
    if (!problems.isEmpty()) {
      throw new SafetensorsFormatException(
          checkpoint.files().get(0).getParent() + ": " + String.join("; ", problems));
    }
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (String name : layout.expected().keySet()) {
      NDArray t = checkpoint.load(manager, name);
      if (options.parameterDtype() != null && Aten.dtype(t) != options.parameterDtype()) {
        t = Aten.to(t, options.parameterDtype());
      }
      t.setName(name);
      params.put(name, t);
    }
    return assemble(manager, config, params, options);
  }

  /** Wires named parameters into the model's modules. */
  static CausalLm assemble(
      NDManager manager, ModelConfig c, Map<String, NDArray> p, Options options) {
    Architecture arch = c.architecture();
    NDArray eps = Tensors.scalar(manager, (float) c.rmsNormEps());
    List<DecoderLayer> layers = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      Attention attention;
      if (arch.packedQkv()) {
        attention =
            new Attention(
                c,
                null,
                null,
                null,
                linear(p, arch, WeightRole.QKV, WeightRole.QKV_BIAS, i),
                linear(p, arch, WeightRole.O, null, i));
      } else {
        attention =
            new Attention(
                c,
                linear(p, arch, WeightRole.Q, WeightRole.Q_BIAS, i),
                linear(p, arch, WeightRole.K, WeightRole.K_BIAS, i),
                linear(p, arch, WeightRole.V, WeightRole.V_BIAS, i),
                null,
                linear(p, arch, WeightRole.O, null, i));
      }
      Mlp mlp =
          new Mlp(
              linear(p, arch, WeightRole.GATE, null, i),
              linear(p, arch, WeightRole.UP, null, i),
              linear(p, arch, WeightRole.DOWN, null, i));
      layers.add(
          new DecoderLayer(
              new RmsNorm(p.get(arch.tensorName(WeightRole.ATTN_NORM, i)), eps),
              attention,
              new RmsNorm(p.get(arch.tensorName(WeightRole.MLP_NORM, i)), eps),
              mlp));
    }
    NDArray embedding = p.get(arch.tensorName(WeightRole.EMBED, 0));
    Linear head =
        c.tieWordEmbeddings()
            ? new DenseLinear(embedding, null)
            : linear(p, arch, WeightRole.LM_HEAD, null, 0);
    return new CausalLm(
        c,
        embedding,
        layers,
        new RmsNorm(p.get(arch.tensorName(WeightRole.FINAL_NORM, 0)), eps),
        head,
        new RotaryEmbedding(manager, c),
        options.backend(),
        options.computeDtype(),
        p);
  }

  private static Linear linear(
      Map<String, NDArray> p, Architecture arch, WeightRole weight, WeightRole bias, int layer) {
    NDArray b = bias == null ? null : p.get(arch.tensorName(bias, layer));
    return new DenseLinear(p.get(arch.tensorName(weight, layer)), b);
  }
}
