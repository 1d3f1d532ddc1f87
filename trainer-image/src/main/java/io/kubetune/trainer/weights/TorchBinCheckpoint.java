package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a folder that ships PyTorch pickles: {@code pytorch_model.bin}, or shards listed
 * in {@code pytorch_model.bin.index.json} (the layout of older Llama-family repositories). Every
 * file stays mapped until close; see {@link TorchBinFile}.
 */
public final class TorchBinCheckpoint implements Checkpoint {
  public static final String SINGLE_FILE = "pytorch_model.bin";
  public static final String INDEX_FILE = "pytorch_model.bin.index.json";

  private final List<TorchBinFile> files;
  private final Map<String, TorchBinFile> fileByTensor;

  private TorchBinCheckpoint(List<TorchBinFile> files, Map<String, TorchBinFile> fileByTensor) {
    this.files = files;
    this.fileByTensor = fileByTensor;
  }

  public static TorchBinCheckpoint open(Path dir) throws IOException {
    Path index = dir.resolve(INDEX_FILE);
    if (!Files.exists(index)) {
      TorchBinFile file = TorchBinFile.open(dir.resolve(SINGLE_FILE));
      Map<String, TorchBinFile> byTensor = new LinkedHashMap<>();
      file.tensors().keySet().forEach(name -> byTensor.put(name, file));
      return new TorchBinCheckpoint(List.of(file), Collections.unmodifiableMap(byTensor));
    }
    ShardIndex.Opened<TorchBinFile> o =
        ShardIndex.open(
            dir,
            index,
            TorchBinFile::open,
            f -> f.tensors().keySet(),
            TorchBinFile::close,
            TorchBinFormatException::new);
    return new TorchBinCheckpoint(o.files(), o.byTensor());
  }

  @Override
  public Map<String, TensorInfo> tensors() {
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    fileByTensor.forEach((name, file) -> out.put(name, file.tensors().get(name)));
    return out;
  }

  @Override
  public NDArray load(NDManager manager, String name) {
    TorchBinFile file = fileByTensor.get(name);
    if (file == null) {
      throw new IllegalArgumentException("no tensor named '" + name + "' in the checkpoint");
    }
    return file.load(manager, name);
  }

  @Override
  public List<Path> files() {
    List<Path> out = new ArrayList<>();
    files.forEach(f -> out.add(f.path()));
    return out;
  }

  @Override
  public void close() {
    files.forEach(TorchBinFile::close);
  }
}
