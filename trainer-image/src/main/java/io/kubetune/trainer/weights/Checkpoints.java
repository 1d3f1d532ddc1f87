package io.kubetune.trainer.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a HuggingFace model folder's weights, in the order transformers prefers them: safetensors
 * (sharded, then single), then PyTorch pickles (sharded {@code pytorch_model.bin.index.json}, then
 * {@code pytorch_model.bin}).
 */
public final class Checkpoints {
  private Checkpoints() {}

  public static Checkpoint open(Path dir) throws IOException {
    if (Files.exists(dir.resolve(SafetensorsCheckpoint.INDEX_FILE))
        || Files.exists(dir.resolve(SafetensorsCheckpoint.SINGLE_FILE))) {
      return SafetensorsCheckpoint.open(dir);
    }
    if (Files.exists(dir.resolve(TorchBinCheckpoint.INDEX_FILE))
        || Files.exists(dir.resolve(TorchBinCheckpoint.SINGLE_FILE))) {
      return TorchBinCheckpoint.open(dir);
    }
    throw new NoSuchFileException(
        dir
            + ": no weights: looked for "
            + String.join(
                ", ",
                SafetensorsCheckpoint.INDEX_FILE,
                SafetensorsCheckpoint.SINGLE_FILE,
                TorchBinCheckpoint.INDEX_FILE,
                TorchBinCheckpoint.SINGLE_FILE));
  }
}
