package io.kubetune.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kubetune.trainer.io.Directories;
import io.kubetune.trainer.weights.SafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Sharded checkpoints under {@code <output>/checkpoints/step-NNNNNNNN/}: one safetensors file per
 * rank holding its range of every unit's flat parameters and AdamW moments ({@link FlatLayout}),
 * and a manifest.json. Every rank writes its file into {@code .step-N.pending/} (each file written
 * beside its place and renamed in); rank 0, once all ranks are done, writes the manifest and
 * renames the folder into place. So a folder named step-N with a manifest whose shard files are all
 * there at their recorded sizes is complete; anything else is ignored. The newest K complete
 * checkpoints are kept.
 *
 * <p>The output folder must be shared by all ranks (one file system, or in a cluster a
 * ReadWriteMany volume).
 */
public final class CheckpointStore {
  public static final String DIR = "checkpoints";
  public static final String MANIFEST = "manifest.json";

  /** The file that makes a folder a checkpoint: the manifest, which holds the run's state. */
  public static final String STATE = MANIFEST;

  private static final Pattern NAME = Pattern.compile("step-(\\d+)");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What a shard holds for each unit. */
  public enum Field {
    PARAM("param"),
    EXP_AVG("exp_avg"),
    EXP_AVG_SQ("exp_avg_sq");

    private final String key;

    Field(String key) {
      this.key = key;
    }

    /** The tensor's name in a shard file. */
    public String tensorName(String unit) {
      return unit + "/" + key;
    }
  }

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
          .filter(CheckpointStore::complete)
          .sorted(Comparator.comparingLong(CheckpointStore::stepOf))
          .toList();
    }
  }

  /** Where step's checkpoint is once complete. */
  public Path dirOf(long step) {
    return root.resolve(name(step));
  }

  /** The folder the ranks write step's shards into. */
  public Path pending(long step) throws IOException {
    Path dir = root.resolve("." + name(step) + ".pending");
    Files.createDirectories(dir);
    return dir;
  }

  /** Writes one rank's shard file into a pending checkpoint; returns its size. */
  public long writeShard(
      Path pending, int rank, int world, List<TensorSource> tensors, Map<String, String> metadata)
      throws IOException {
    Path file = pending.resolve(CheckpointManifest.shardFile(rank, world));
    Path tmp = pending.resolve("." + file.getFileName() + ".tmp");
    SafetensorsWriter.write(tmp, tensors, metadata);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return Files.size(file);
  }

  /**
   * Completes a pending checkpoint once every rank has written its shard: checks the files, writes
   * the manifest (with the files' sizes), moves the folder into place and prunes old checkpoints.
   * Rank 0 only.
   */
  public Path commit(Path pending, CheckpointManifest manifest) throws IOException {
    List<CheckpointManifest.Shard> shards = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int r = 0; r < manifest.world(); r++) {
      String file = CheckpointManifest.shardFile(r, manifest.world());
      Path path = pending.resolve(file);
      if (!Files.isRegularFile(path)) {
        throw new IOException(pending + ": rank " + r + "'s shard " + file + " is missing");
      }
      shards.add(new CheckpointManifest.Shard(r, file, Files.size(path)));
      names.add(file);
    }
    try (Stream<Path> files = Files.list(pending)) {
      // leftovers of an earlier attempt at this step (another world size)
      for (Path p : files.filter(p -> !names.contains(p.getFileName().toString())).toList()) {
        Directories.deleteRecursively(p);
      }
    }
    CheckpointManifest complete =
        new CheckpointManifest(
            manifest.format(),
            manifest.world(),
            manifest.zeroStage(),
            manifest.layout(),
            shards,
            manifest.state());
    Path tmp = pending.resolve("." + MANIFEST + ".tmp");
    JSON.writeValue(tmp.toFile(), complete);
    Files.move(tmp, pending.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
    Path dir = dirOf(manifest.state().step());
    Directories.deleteRecursively(dir);
    Files.move(pending, dir, StandardCopyOption.ATOMIC_MOVE);
    prune();
    return dir;
  }

  public CheckpointManifest manifest(Path dir) throws IOException {
    return JSON.readValue(dir.resolve(MANIFEST).toFile(), CheckpointManifest.class);
  }

  public CheckpointState state(Path dir) throws IOException {
    return manifest(dir).state();
  }

  /**
   * Copies the checkpoint's trainable tensors into the live ones (whole, whatever world size wrote
   * them).
   *
   * @throws IOException when the checkpoint holds other tensors than trainable
   */
  public void restoreTrainable(
      Path dir, Map<String, ai.djl.ndarray.NDArray> trainable, ai.djl.ndarray.NDManager manager)
      throws IOException {
    try (CheckpointReader reader = reader(dir)) {
      reader.readNamed(trainable, Field.PARAM);
    }
  }

  /** Reads a complete checkpoint's tensors, at any world size. */
  public CheckpointReader reader(Path dir) throws IOException {
    return new CheckpointReader(dir, manifest(dir));
  }

  private static boolean complete(Path dir) {
    Path manifest = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      return false;
    }
    try {
      CheckpointManifest m = JSON.readValue(manifest.toFile(), CheckpointManifest.class);
      for (CheckpointManifest.Shard s : m.shards()) {
        Path file = dir.resolve(s.file());
        if (!Files.isRegularFile(file) || Files.size(file) != s.bytes()) {
          return false;
        }
      }
      return m.shards().size() == m.world();
    } catch (IOException e) {
      return false;
    }
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      Directories.deleteRecursively(all.get(i));
    }
  }

  private static String name(long step) {
    return String.format("step-%08d", step);
  }

  public static long stepOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
