package io.kubetune.trainer.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The reference fixtures written by src/test/python/make_fixtures.py. */
public final class Fixtures {
  public static final Path ROOT = Path.of("src/test/resources/fixtures");
  public static final List<String> MODELS = List.of("llama", "llama-tied", "qwen2", "internlm2");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  public static Path model(String name) {
    return ROOT.resolve("models").resolve(name);
  }

  /**
   * The layouts of published repositories, shrunk (src/test/python/make_layout_fixtures.py): file
   * names, config keys, tokenizer kind and chat template as published.
   */
  public static final List<String> LAYOUTS =
      List.of(
          "internlm2-chat-1_8b",
          "llama-2-7b-chat-hf",
          "meta-llama-3-8b-instruct",
          "qwen2.5-0.5b-instruct");

  public static Path layout(String name) {
    return ROOT.resolve("layouts").resolve(name);
  }

  public static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One model's reference outputs. */
  public record Reference(JsonNode json, SafetensorsFile tensors) implements AutoCloseable {
    public static Reference of(String model) {
      Path dir = model(model).resolve("reference");
      try {
        return new Reference(
            Fixtures.json(dir.resolve("reference.json")),
            SafetensorsFile.open(dir.resolve("reference.safetensors")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public int prompts() {
      return json.get("prompts").size();
    }

    public long[] inputIds(int prompt) {
      return longs(json.get("prompts").get(prompt).get("input_ids"));
    }

    public long[] greedyIds(int prompt) {
      return longs(json.get("prompts").get(prompt).get("greedy").get("ids"));
    }

    public NDArray tensor(NDManager manager, String name) {
      return tensors.load(manager, name);
    }

    @Override
    public void close() {
      tensors.close();
    }
  }

  public static long[] longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asLong()));
    return out.stream().mapToLong(Long::longValue).toArray();
  }
}
