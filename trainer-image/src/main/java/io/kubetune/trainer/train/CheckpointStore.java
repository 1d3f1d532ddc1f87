package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kubetune.trainer.io.Directories;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.weights.SafetensorsFile;
import io.kubetune.trainer.weights.SafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints under {@code <output>/checkpoints/step-NNNNNNNN/}: the trainable tensors, the
 * optimizer's moments and a state.json. A checkpoint is written into a hidden temporary folder and
 * renamed into place, so a folder named step-N is always complete; only the newest K are kept.
 */
public final class CheckpointStore {
  public static final String DIR = "checkpoints";
  private static final Pattern NAME = Pattern.compile("step-(\\d+)");
  private static final String TRAINABLE = "trainable.safetensors";
  private static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "state.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;
  private final int keep;

  public CheckpointStore(Path outputDir, int keep) {
    this.root = outputDir.resolve(DIR);
    this.keep = keep;
  }

  public Path root() {
    return root;
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Path> latest() throws IOException {
    return list().stream().reduce((a, b) -> b);
  }

  /** Complete checkpoints, oldest first. */
  public List<Path> list() throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.exists(p.resolve(STATE)))
          .sorted(Comparator.comparingLong(CheckpointStore::stepOf))
          .toList();
    }
  }

  /** Writes a checkpoint atomically and prunes old ones; returns its folder. */
  public Path save(CheckpointState state, Map<String, NDArray> trainable, AdamW optimizer)
      throws IOException {
    Files.createDirectories(root);
    String name = String.format("step-%08d", state.step());
    Path tmp = root.resolve("." + name + ".tmp");
    Directories.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    List<TensorSource> weights = new ArrayList<>();
    trainable.forEach((n, t) -> weights.add(TensorSource.of(n, t)));
    SafetensorsWriter.write(tmp.resolve(TRAINABLE), weights, Map.of("format", "pt"));
    List<TensorSource> moments = new ArrayList<>();
    optimizer
        .moments()
        .forEach(
            (n, m) -> {
              moments.add(TensorSource.of("m." + n, m.m()));
              moments.add(TensorSource.of("v." + n, m.v()));
            });
    SafetensorsWriter.write(tmp.resolve(OPTIMIZER), moments, Map.of());
    JSON.writeValue(tmp.resolve(STATE).toFile(), state);
    Path dir = root.resolve(name);
    Directories.deleteRecursively(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    prune();
    return dir;
  }

  /** Reads a checkpoint's state. */
  public CheckpointState state(Path dir) throws IOException {
    return JSON.readValue(dir.resolve(STATE).toFile(), CheckpointState.class);
  }

  /**
   * Copies the checkpoint's trainable tensors into the live ones.
   *
   * @throws IOException when the checkpoint holds other tensors than trainable
   */
  public void restoreTrainable(Path dir, Map<String, NDArray> trainable, NDManager manager)
      throws IOException {
    try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve(TRAINABLE))) {
      if (!weights.tensors().keySet().equals(trainable.keySet())) {
        throw new IOException(dir + ": its tensors do not match the trainable tensors of this run");
      }
      for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
        try (NDManager scratch = manager.newSubManager()) {
          Aten.copyInto(e.getValue(), weights.load(scratch, e.getKey()));
        }
      }
    }
  }

  /** The optimizer's moments for the trainable tensors named, as new tensors owned by manager. */
  public Map<String, AdamW.Moments> moments(Path dir, Set<String> trainable, NDManager manager)
      throws IOException {
    try (SafetensorsFile moments = SafetensorsFile.open(dir.resolve(OPTIMIZER))) {
      Map<String, AdamW.Moments> out = new LinkedHashMap<>();
      for (String n : trainable) {
        if (moments.tensors().containsKey("m." + n)) {
          out.put(
              n,
              new AdamW.Moments(
                  moments.load(manager, "m." + n).duplicate(),
                  moments.load(manager, "v." + n).duplicate()));
        }
      }
      return out;
    }
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      Directories.deleteRecursively(all.get(i));
    }
  }

  public static long stepOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
