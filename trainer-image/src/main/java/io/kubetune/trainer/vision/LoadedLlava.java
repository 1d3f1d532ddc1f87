package io.kubetune.trainer.vision;

import io.kubetune.trainer.model.LoadedModel;

/**
 * A LLaVA read from a llava-hf folder: the model, and the language model as a {@link LoadedModel}
 * (which owns the tensors' manager and the checkpoint's mappings). Close it when done.
 */
public record LoadedLlava(LlavaModel model, LoadedModel language, ImageProcessorConfig processor)
    implements AutoCloseable {
  @Override
  public void close() {
    language.close();
  }
}
