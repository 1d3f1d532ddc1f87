package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<TorchBinFile> files;
  private final Map<String, TorchBinFile> fileByTensor;

  private TorchBinCheckpoint(List<TorchBinFile> files, Map<String, TorchBinFile> fileByTensor) {
    this.files = files;
    this.fileByTensor = fileByTensor;
  }

  public static TorchBinCheckpoint open(Path dir) throws IOException {
    Path index = dir.resolve(INDEX_FILE);
    Map<String, TorchBinFile> opened = new LinkedHashMap<>();
    Map<String, TorchBinFile> byTensor = new LinkedHashMap<>();
    try {
      if (!Files.exists(index)) {
        TorchBinFile file = TorchBinFile.open(dir.resolve(SINGLE_FILE));
        opened.put(SINGLE_FILE, file);
        file.tensors().keySet().forEach(name -> byTensor.put(name, file));
      } else {
        for (var it = weightMap(index).fields(); it.hasNext(); ) {
          var entry = it.next();
          String shard = entry.getValue().asText();
          if (shard.contains("/") || shard.equals("..")) {
            throw new TorchBinFormatException(index + ": shard name '" + shard + "' is a path");
          }
          TorchBinFile file = opened.get(shard);
          if (file == null) {
            file = TorchBinFile.open(dir.resolve(shard));
            opened.put(shard, file);
          }
          if (!file.tensors().containsKey(entry.getKey())) {
            throw new TorchBinFormatException(
                index + ": maps '" + entry.getKey() + "' to " + shard + ", which does not hold it");
          }
          byTensor.put(entry.getKey(), file);
        }
      }
    } catch (IOException | RuntimeException e) {
      opened.values().forEach(TorchBinFile::close);
      throw e;
    }
    return new TorchBinCheckpoint(
        List.copyOf(opened.values()), Collections.unmodifiableMap(byTensor));
  }

  private static JsonNode weightMap(Path index) throws IOException {
    JsonNode map;
    try {
      map = JSON.readTree(index.toFile()).get("weight_map");
    } catch (JsonProcessingException e) {
      throw new TorchBinFormatException(index + ": not valid JSON: " + e.getOriginalMessage());
    }
    if (map == null || !map.isObject()) {
      throw new TorchBinFormatException(index + ": no weight_map object");
    }
    return map;
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
