package io.kubetune.trainer.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model's weights as HuggingFace does: one {@code model.safetensors}, or shards of at most
 * maxShardBytes with a {@code model.safetensors.index.json}. Tensors stream one at a time.
 */
public final class ShardedSafetensorsWriter {
  /** HuggingFace's default max_shard_size. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5L << 30;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ShardedSafetensorsWriter() {}

  /** Returns the files written. */
  public static List<Path> write(
      Path dir, List<TensorSource> tensors, Map<String, String> metadata, long maxShardBytes)
      throws IOException {
    Files.createDirectories(dir);
    List<List<TensorSource>> shards = split(tensors, maxShardBytes);
    if (shards.size() == 1) {
      Path file = dir.resolve(SafetensorsCheckpoint.SINGLE_FILE);
      SafetensorsWriter.write(file, shards.get(0), metadata);
      Files.deleteIfExists(dir.resolve(SafetensorsCheckpoint.INDEX_FILE));
      return List.of(file);
    }
    List<Path> written = new ArrayList<>();
    Map<String, String> weightMap = new LinkedHashMap<>();
    long total = 0;
    for (int i = 0; i < shards.size(); i++) {
      String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      SafetensorsWriter.write(dir.resolve(name), shards.get(i), metadata);
      written.add(dir.resolve(name));
      for (TensorSource t : shards.get(i)) {
        weightMap.put(t.name(), name);
        total += t.byteSize();
      }
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("metadata", Map.of("total_size", total));
    index.put("weight_map", weightMap);
    Path indexFile = dir.resolve(SafetensorsCheckpoint.INDEX_FILE);
    Path tmp = dir.resolve(SafetensorsCheckpoint.INDEX_FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), index);
    Files.move(tmp, indexFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(dir.resolve(SafetensorsCheckpoint.SINGLE_FILE));
    written.add(indexFile);
    return written;
  }

  static List<List<TensorSource>> split(List<TensorSource> tensors, long maxShardBytes) {
    List<List<TensorSource>> shards = new ArrayList<>();
    List<TensorSource> current = new ArrayList<>();
    long size = 0;
    for (TensorSource t : tensors) {
      if (!current.isEmpty() && size + t.byteSize() > maxShardBytes) {
        shards.add(current);
        current = new ArrayList<>();
        size = 0;
      }
      current.add(t);
      size += t.byteSize();
    }
    shards.add(current);
    return shards;
  }
}
