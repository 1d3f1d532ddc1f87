package io.kubetune.trainer.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A HuggingFace shard index ({@code *.index.json}, the same for safetensors and .bin shards): its
 * weight_map opened shard by shard, each shard once, every mapping checked against the shard's own
 * tensors. A failure closes what was opened.
 */
final class ShardIndex {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Opens one shard file. */
  interface Opener<F> {
    F open(Path file) throws IOException;
  }

  /** The shards in the order first named, and the shard of each tensor. */
  record Opened<F>(List<F> files, Map<String, F> byTensor) {}

  private ShardIndex() {}

  static <F> Opened<F> open(
      Path dir,
      Path index,
      Opener<F> opener,
      Function<F, Set<String>> names,
      Consumer<F> closer,
      Function<String, IOException> error)
      throws IOException {
    JsonNode weightMap;
    try {
      weightMap = JSON.readTree(index.toFile()).get("weight_map");
    } catch (JsonProcessingException e) {
      throw error.apply(index + ": not valid JSON: " + e.getOriginalMessage());
    }
    if (weightMap == null || !weightMap.isObject()) {
      throw error.apply(index + ": no weight_map object");
    }
    Map<String, F> opened = new LinkedHashMap<>();
    Map<String, F> byTensor = new LinkedHashMap<>();
    try {
      for (var it = weightMap.fields(); it.hasNext(); ) {
        var entry = it.next();
        String shard = entry.getValue().asText();
        if (shard.contains("/") || shard.equals("..")) {
          throw error.apply(index + ": shard name '" + shard + "' is a path");
        }
        F file = opened.get(shard);
        if (file == null) {
          file = opener.open(dir.resolve(shard));
          opened.put(shard, file);
        }
        if (!names.apply(file).contains(entry.getKey())) {
          throw error.apply(
              index + ": maps '" + entry.getKey() + "' to " + shard + ", which does not hold it");
        }
        byTensor.put(entry.getKey(), file);
      }
    } catch (IOException | RuntimeException e) {
      opened.values().forEach(closer);
      throw e;
    }
    return new Opened<>(List.copyOf(opened.values()), Collections.unmodifiableMap(byTensor));
  }
}
