package io.kubetune.trainer.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.weights.Checkpoint;
import io.kubetune.trainer.weights.Checkpoints;
import io.kubetune.trainer.weights.PrefixedCheckpoint;
import io.kubetune.trainer.weights.SafetensorsFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a llava-hf folder: config.json (LlavaConfig), the weights in either of transformers'
 * layouts (transformers 5's {@code model.language_model.* / model.vision_tower.* /
 * model.multi_modal_projector.* / lm_head} as save_pretrained writes it now, or the published
 * llava-hf repositories' {@code language_model.* / vision_tower.vision_model.* /
 * multi_modal_projector.*}), and preprocessor_config.json. A missing, extra or wrongly shaped
 * tensor is an error that names it. The tower and projector are kept in float32.
 */
public final class LlavaLoader {
  /** Where the three parts live in a checkpoint. */
  record Layout(
      String language, String languageInner, String lmHead, String tower, String projector) {}

  private LlavaLoader() {}

  public static LoadedLlava load(NDManager parent, Path dir, ModelLoader.Options options)
      throws IOException {
    LlavaConfig config = LlavaConfig.load(dir);
    ImageProcessorConfig processor = ImageProcessorConfig.load(dir);
    Checkpoint checkpoint = Checkpoints.open(dir);
    NDManager manager = parent.newSubManager();
    try {
      LlavaModel model = build(manager, config, checkpoint, options);
      LoadedModel language = LoadedModel.of(dir, model.language(), manager, checkpoint);
      return new LoadedLlava(model, language, processor);
    } catch (IOException | RuntimeException e) {
      manager.close();
      checkpoint.close();
      throw e;
    }
  }

  static LlavaModel build(
      NDManager manager, LlavaConfig config, Checkpoint checkpoint, ModelLoader.Options options)
      throws IOException {
    Layout layout = layout(checkpoint);
    PrefixedCheckpoint language =
        new PrefixedCheckpoint(
            checkpoint,
            n ->
                n.equals(layout.lmHead())
                    ? "lm_head.weight"
                    : n.startsWith(layout.language())
                        ? layout.languageInner() + n.substring(layout.language().length())
                        : null);
    Map<String, NDArray> towerParams =
        part(manager, checkpoint, layout.tower(), ClipVisionTower.expectedShapes(config.vision()));
    Map<String, NDArray> projectorParams =
        part(
            manager,
            checkpoint,
            layout.projector(),
            MultimodalProjector.expectedShapes(
                config.vision().hiddenSize(), config.text().hiddenSize(), config.projectorBias()));
    List<String> extra = new ArrayList<>();
    for (String name : new TreeSet<>(checkpoint.tensors().keySet())) {
      if (!name.startsWith(layout.tower())
          && !name.startsWith(layout.projector())
          && language.tensors().keySet().stream()
              .noneMatch(n -> name.equals(language.outerName(n)))) {
        extra.add(name);
      }
    }
    if (!extra.isEmpty()) {
      throw new SafetensorsFormatException(
          checkpoint.files().get(0).getParent() + ": unexpected tensors for a LLaVA: " + extra);
    }
    CausalLm lm = ModelLoader.build(manager, config.text(), language, options);
    return new LlavaModel(
        config,
        lm,
        new ClipVisionTower(config.vision(), towerParams),
        MultimodalProjector.of(projectorParams));
  }

  /** The new layout if the checkpoint has model.language_model.*, else the published one. */
  static Layout layout(Checkpoint checkpoint) throws SafetensorsFormatException {
    boolean current =
        checkpoint.tensors().keySet().stream().anyMatch(n -> n.startsWith("model.language_model."));
    boolean published =
        checkpoint.tensors().keySet().stream().anyMatch(n -> n.startsWith("language_model."));
    if (current) {
      String tower = towerPrefix(checkpoint, "model.vision_tower.");
      return new Layout(
          "model.language_model.",
          "model.",
          "lm_head.weight",
          tower,
          "model.multi_modal_projector.");
    }
    if (published) {
      String tower = towerPrefix(checkpoint, "vision_tower.");
      return new Layout(
          "language_model.", "", "language_model.lm_head.weight", tower, "multi_modal_projector.");
    }
    throw new SafetensorsFormatException(
        checkpoint.files().get(0).getParent()
            + ": not a LLaVA checkpoint (no model.language_model.* or language_model.* tensors)");
  }

  /** vision_tower.vision_model. (CLIPVisionModel) or vision_tower. (CLIPVisionTransformer). */
  private static String towerPrefix(Checkpoint checkpoint, String root)
      throws SafetensorsFormatException {
    String suffix = "embeddings.patch_embedding.weight";
    for (String n : checkpoint.tensors().keySet()) {
      if (n.startsWith(root) && n.endsWith(suffix)) {
        return n.substring(0, n.length() - suffix.length());
      }
    }
    throw new SafetensorsFormatException(
        checkpoint.files().get(0).getParent() + ": no vision tower (" + root + "*" + suffix + ")");
  }

  private static Map<String, NDArray> part(
      NDManager manager, Checkpoint checkpoint, String prefix, Map<String, Shape> expected)
      throws SafetensorsFormatException {
    List<String> problems = new ArrayList<>();
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : expected.entrySet()) {
      String name = prefix + e.getKey();
      var info = checkpoint.tensors().get(name);
      if (info == null) {
        problems.add("missing tensor '" + name + "' (expected shape " + e.getValue() + ")");
      } else if (!info.shape().equals(e.getValue())) {
        problems.add(
            "tensor '"
                + name
                + "' has shape "
                + info.shape()
                + ", but config.json implies "
                + e.getValue());
      } else {
        NDArray t = Aten.to(checkpoint.load(manager, name), Dtype.F32);
        t.setName(name);
        out.put(e.getKey(), t);
      }
    }
    for (String n : checkpoint.tensors().keySet()) {
      if (n.startsWith(prefix) && !expected.containsKey(n.substring(prefix.length()))) {
        problems.add("unexpected tensor '" + n + "'");
      }
    }
    if (!problems.isEmpty()) {
      throw new SafetensorsFormatException(
          checkpoint.files().get(0).getParent() + ": " + String.join("; ", problems));
    }
    return out;
  }
}
