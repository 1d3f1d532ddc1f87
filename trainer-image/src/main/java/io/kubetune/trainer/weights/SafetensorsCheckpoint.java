package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a HuggingFace model directory: {@code model.safetensors}, or shards listed in
 * {@code model.safetensors.index.json}. All files stay mapped until close.
 */
public final class SafetensorsCheckpoint implements Checkpoint {
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> fileByTensor;

  private SafetensorsCheckpoint(
      List<SafetensorsFile> files, Map<String, SafetensorsFile> fileByTensor) {
    this.files = files;
    this.fileByTensor = fileByTensor;
  }

  public static SafetensorsCheckpoint open(Path dir) throws IOException {
    Path index = dir.resolve(INDEX_FILE);
    if (Files.exists(index)) {
      return openSharded(dir, index);
    }
    Path single = dir.resolve(SINGLE_FILE);
    if (!Files.exists(single)) {
      throw new NoSuchFileException(
          dir
              + ": no "
              + SINGLE_FILE
              + " or "
              + INDEX_FILE
              + " (only safetensors weights are read)");
    }
    SafetensorsFile file = SafetensorsFile.open(single);
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    file.tensors().keySet().forEach(name -> byTensor.put(name, file));
    return new SafetensorsCheckpoint(List.of(file), Collections.unmodifiableMap(byTensor));
  }

  private static SafetensorsCheckpoint openSharded(Path dir, Path index) throws IOException {
    ShardIndex.Opened<SafetensorsFile> o =
        ShardIndex.open(
            dir,
            index,
            SafetensorsFile::open,
            f -> f.tensors().keySet(),
            SafetensorsFile::close,
            SafetensorsFormatException::new);
    return new SafetensorsCheckpoint(o.files(), o.byTensor());
  }

  /** Tensor names in index (or file) order. */
  @Override
  public Map<String, TensorInfo> tensors() {
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    fileByTensor.forEach((name, file) -> out.put(name, file.tensors().get(name)));
    return out;
  }

  public boolean contains(String name) {
    return fileByTensor.containsKey(name);
  }

  public TensorInfo info(String name) {
    SafetensorsFile file = fileByTensor.get(name);
    if (file == null) {
      throw new IllegalArgumentException("no tensor named '" + name + "' in the checkpoint");
    }
    return file.tensors().get(name);
  }

  /** The tensor, aliasing the file mapping. */
  @Override
  public NDArray load(NDManager manager, String name) {
    SafetensorsFile file = fileByTensor.get(name);
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
    files.forEach(SafetensorsFile::close);
  }
}
