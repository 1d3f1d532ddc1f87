package io.kubetune.trainer.model;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.weights.Checkpoint;
import java.nio.file.Path;

/**
 * A model read from a HuggingFace directory, with what keeps its tensors alive: their manager and
 * the memory mappings the frozen weights alias. Close it when done with the model.
 */
public final class LoadedModel implements AutoCloseable {
  private final Path directory;
  private final CausalLm model;
  private final NDManager manager;
  private final Checkpoint checkpoint;

  LoadedModel(Path directory, CausalLm model, NDManager manager, Checkpoint checkpoint) {
    this.directory = directory;
    this.model = model;
    this.manager = manager;
    this.checkpoint = checkpoint;
  }

  /**
   * A model built elsewhere from this checkpoint (e.g. the language model inside a LLaVA folder):
   * closing it closes the manager, then the checkpoint.
   */
  public static LoadedModel of(
      Path directory, CausalLm model, NDManager manager, Checkpoint checkpoint) {
    return new LoadedModel(directory, model, manager, checkpoint);
  }

  public Path directory() {
    return directory;
  }

  public CausalLm model() {
    return model;
  }

  public ModelConfig config() {
    return model.config();
  }

  public NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    manager.close(); // tensors first: they alias the mappings
    checkpoint.close();
  }
}
