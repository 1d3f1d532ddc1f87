package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.data.EncodedSample;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.vision.ImageProcessor;
import io.kubetune.trainer.vision.LlavaModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A LLaVA's input side while training: each batch's images are read and preprocessed, encoded by
 * the tower and projector, and put in place of their placeholder tokens.
 *
 * @param towerLearns the tower's parameters are trained (its forward then runs under autograd)
 */
public record VisionInputs(LlavaModel llava, ImageProcessor processor, boolean towerLearns) {

  /** The input embeddings [B, T, hidden] of a batch for the (adapted) language model. */
  NDArray embed(CausalLm language, BatchTensors batch) {
    LlavaModel model = llava.withLanguage(language);
    List<EncodedSample.PlacedImage> images = batch.images();
    if (images.isEmpty()) {
      return model.embed(batch.inputIds(), null);
    }
    NDArray features =
        model.imageFeatures(pixels(batch.inputIds().getManager(), images), towerLearns);
    return model.embed(batch.inputIds(), features);
  }

  private NDArray pixels(NDManager manager, List<EncodedSample.PlacedImage> images) {
    int h = processor.config().outputHeight();
    int w = processor.config().outputWidth();
    int plane = 3 * h * w;
    float[] all = new float[images.size() * plane];
    for (int i = 0; i < images.size(); i++) {
      EncodedSample.PlacedImage image = images.get(i);
      try {
        float[] px = processor.pixels(Path.of(image.file()));
        System.arraycopy(px, 0, all, i * plane, plane);
      } catch (IOException | RuntimeException e) {
        throw new KubetuneException(
            TrainerExitCodes.DATA_ERROR,
            image.origin() + ": image " + image.file() + " cannot be read: " + e.getMessage(),
            e);
      }
    }
    return Tensors.float32(manager, all, new Shape(images.size(), 3, h, w));
  }
}
