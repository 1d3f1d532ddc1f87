package io.kubetune.trainer.chat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.vision.ImageProcessor;
import io.kubetune.trainer.vision.ImageTokens;
import io.kubetune.trainer.vision.LlavaModel;
import io.kubetune.trainer.vision.RgbImage;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A LLaVA that chats about images: the conversation is rendered by the chat template with an {@code
 * <image>} placeholder in the user turn where each image goes (in order), each placeholder is
 * expanded for its image's features, and the prompt's embeddings carry the projected features.
 */
public record ImageChatModel(ChatModel chat, LlavaModel llava, ImageProcessor processor) {

  /** The prompt's token ids with each image's placeholders expanded. */
  public int[] promptIds(List<ChatMessage> messages, int images) {
    int id = llava.config().imageTokenId();
    int[] ids = chat.promptIds(messages);
    int found = ImageTokens.count(ids, id);
    if (found != images) {
      throw new IllegalArgumentException(
          "the conversation has " + found + " <image> placeholders for " + images + " images");
    }
    return ImageTokens.expand(ids, id, llava.config().imageTokens());
  }

  /**
   * What turns the prompt's ids [1, T] into its input embeddings with the images' projected
   * features in place of their placeholders. The images are preprocessed here, on the calling
   * thread; the returned function runs the vision tower where the model runs (e.g. the serving
   * engine's thread), with no gradient wanted.
   */
  public UnaryOperator<NDArray> promptEmbedder(List<RgbImage> images) {
    int h = processor.config().outputHeight();
    int w = processor.config().outputWidth();
    int plane = 3 * h * w;
    float[] all = new float[images.size() * plane];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(processor.pixels(images.get(i)), 0, all, i * plane, plane);
    }
    Shape shape = new Shape(images.size(), 3, h, w);
    return ids -> {
      NDArray pixels = Tensors.float32(ids.getManager(), all, shape);
      return llava.embed(ids, llava.imageFeatures(pixels, false));
    };
  }

  public Generation reply(
      List<ChatMessage> messages,
      List<RgbImage> images,
      SamplingParams params,
      TokenListener listener) {
    if (images.isEmpty()) {
      promptIds(messages, 0); // an <image> typed with no picture would embed a feature not there
      return chat.reply(messages, params, listener);
    }
    int[] prompt = promptIds(messages, images.size());
    UnaryOperator<NDArray> embedder = promptEmbedder(images);
    SamplingParams withStops =
        params.stopTokenIds().isEmpty() ? params.withStopTokenIds(chat.stopTokenIds()) : params;
    return new Generator(
            llava.language(), chat.manager(), ids -> Aten.noGrad(() -> embedder.apply(ids)))
        .generate(prompt, withStops, ids -> chat.tokenizer().decode(ids, true), listener);
  }
}
