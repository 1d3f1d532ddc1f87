package io.kubetune.trainer.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Tensors;

/**
 * LLaVA (transformers' LlavaForConditionalGeneration): a CLIP tower encodes each image, the layer
 * {@code vision_feature_layer} of it (CLS dropped by the "default" strategy) goes through the
 * projector, and the projected patch features replace the image placeholder tokens' embeddings, in
 * order (masked_scatter), before the language model runs. Immutable; {@link #withLanguage} and
 * {@link #withProjector} share everything else.
 */
public final class LlavaModel {
  private final LlavaConfig config;
  private final CausalLm language;
  private final ClipVisionTower tower;
  private final MultimodalProjector projector;

  public LlavaModel(
      LlavaConfig config, CausalLm language, ClipVisionTower tower, MultimodalProjector projector) {
    this.config = config;
    this.language = language;
    this.tower = tower;
    this.projector = projector;
  }

  public LlavaConfig config() {
    return config;
  }

  public CausalLm language() {
    return language;
  }

  public ClipVisionTower tower() {
    return tower;
  }

  public MultimodalProjector projector() {
    return projector;
  }

  public LlavaModel withLanguage(CausalLm other) {
    return new LlavaModel(config, other, tower, projector);
  }

  public LlavaModel withProjector(MultimodalProjector other) {
    return new LlavaModel(config, language, tower, other);
  }

  /** The tower's selected layer for pixel values [N, 3, S, S]: [N, imageTokens, visionHidden]. */
  public NDArray visionFeatures(NDArray pixels) {
    NDArray hidden = tower.hiddenState(pixels, config.featureLayer());
    if (!config.dropCls()) {
      return hidden;
    }
    return Aten.narrow(hidden, 1, 1, hidden.getShape().get(1) - 1);
  }

  /**
   * Projected image features [N, imageTokens, textHidden]. With a frozen tower (its parameters not
   * requiring gradients) the tower runs without autograd.
   */
  public NDArray imageFeatures(NDArray pixels, boolean towerLearns) {
    NDArray vision =
        towerLearns ? visionFeatures(pixels) : Aten.noGrad(() -> visionFeatures(pixels));
    return projector.apply(vision);
  }

  /**
   * Input embeddings [B, T, textHidden] for ids [B, T]: token embeddings, with the image token
   * positions (row-major) taking the rows of imageFeatures [N, P, textHidden] in order.
   *
   * @param imageFeatures null when there are no images
   * @throws IllegalArgumentException when the placeholders and the features differ in number
   */
  public NDArray embed(NDArray inputIds, NDArray imageFeatures) {
    long[] ids = inputIds.toLongArray();
    int images = 0;
    for (long id : ids) {
      if (id == config.imageTokenId()) {
        images++;
      }
    }
    long features =
        imageFeatures == null
            ? 0
            : imageFeatures.getShape().get(0) * imageFeatures.getShape().get(1);
    if (images != features) {
      throw new IllegalArgumentException(
          "the input has "
              + images
              + " image tokens but the images give "
              + features
              + " features ("
              + config.imageTokens()
              + " per image)");
    }
    NDArray text = language.embed(safeIds(inputIds, ids));
    if (images == 0) {
      return text;
    }
    Shape shape = text.getShape();
    long rows = shape.get(0) * shape.get(1);
    long hidden = shape.get(2);
    NDArray projected = Aten.to(imageFeatures, Aten.dtype(text)).reshape(features, hidden);
    NDArray table =
        JniUtils.cat(
            new PtNDArray[] {(PtNDArray) text.reshape(rows, hidden), (PtNDArray) projected}, 0);
    long[] pick = new long[(int) rows];
    long next = rows;
    for (int i = 0; i < rows; i++) {
      pick[i] = ids[i] == config.imageTokenId() ? next++ : i;
    }
    NDArray index = Tensors.int64(inputIds.getManager(), pick, new Shape(rows));
    return Aten.embedding(table, index).reshape(shape);
  }

  /** The language model's final-normed hidden states for ids with their images' features. */
  public NDArray hidden(
      NDArray inputIds, NDArray imageFeatures, NDArray positions, AttentionMask mask) {
    return language.hiddenFromEmbeddings(embed(inputIds, imageFeatures), positions, mask);
  }

  /** Ids the embedding table can look up: an image token beyond the vocabulary reads row 0. */
  private NDArray safeIds(NDArray inputIds, long[] ids) {
    if (config.imageTokenId() < language.config().vocabSize()) {
      return inputIds;
    }
    long[] safe = ids.clone();
    for (int i = 0; i < safe.length; i++) {
      if (safe[i] == config.imageTokenId()) {
        safe[i] = 0;
      }
    }
    NDManager manager = inputIds.getManager();
    return Tensors.int64(manager, safe, inputIds.getShape());
  }
}
