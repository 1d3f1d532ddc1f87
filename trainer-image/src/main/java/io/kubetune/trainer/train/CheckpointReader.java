package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads any range of any unit's flat parameters or moments out of a sharded checkpoint, whichever
 * world size wrote it: the range is put together from the shard files that overlap it. This is how
 * a run resumes at another world size (re-sharding on load) and how export reads named tensors.
 */
public final class CheckpointReader implements AutoCloseable {
  private final Path dir;
  private final CheckpointManifest manifest;
  private final Map<Integer, SafetensorsFile> files = new HashMap<>();
  private final Map<String, FlatLayout.Unit> units = new HashMap<>();

  CheckpointReader(Path dir, CheckpointManifest manifest) {
    this.dir = dir;
    this.manifest = manifest;
    manifest.layout().units().forEach(u -> units.put(u.name(), u));
  }

  public CheckpointManifest manifest() {
    return manifest;
  }

  /**
   * Copies elements [start, start + dest's numel) of a unit's flat field into dest (fp32, 1-D).
   *
   * @throws IOException when the checkpoint has no such unit or its files are damaged
   */
  public void read(String unitName, CheckpointStore.Field field, long start, NDArray dest)
      throws IOException {
    FlatLayout.Unit unit = units.get(unitName);
    if (unit == null) {
      throw new IOException(dir + " has no unit " + unitName);
    }
    FlatLayout.Range wanted = new FlatLayout.Range(start, dest.getShape().size());
    if (wanted.end() > unit.numel()) {
      throw new IOException(dir + ": " + unitName + " has " + unit.numel() + " elements");
    }
    int world = manifest.world();
    for (int r = 0; r < world; r++) {
      FlatLayout.Range held = unit.range(world, r);
      FlatLayout.Range overlap = held.intersect(wanted);
      if (overlap.length() == 0) {
        continue;
      }
      NDArray shard = file(r).load(dest.getManager(), field.tensorName(unitName));
      NDArray from = Aten.narrow(shard, 0, overlap.start() - held.start(), overlap.length());
      NDArray to = Aten.narrow(dest, 0, overlap.start() - wanted.start(), overlap.length());
      Aten.copyInto(to, from);
      from.close();
      to.close();
      shard.close();
    }
  }

  /** Copies the checkpoint's values of named tensors (e.g. the trainable ones) into them. */
  public void readNamed(Map<String, NDArray> tensors, CheckpointStore.Field field)
      throws IOException {
    Map<String, FlatLayout.Place> places = manifest.layout().places();
    if (!places.keySet().equals(tensors.keySet())) {
      throw new IOException(dir + ": its tensors do not match the trainable tensors of this run");
    }
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      FlatLayout.Place place = places.get(e.getKey());
      NDArray flat = e.getValue().reshape(-1);
      read(place.unit().name(), field, place.slot().offset(), flat);
    }
  }

  /** A new fp32 tensor with elements [start, start + length) of a unit's field. */
  public NDArray range(
      NDManager manager, String unit, CheckpointStore.Field field, long start, long length)
      throws IOException {
    NDArray out = manager.zeros(new ai.djl.ndarray.types.Shape(length));
    read(unit, field, start, out);
    return out;
  }

  private SafetensorsFile file(int rank) throws IOException {
    SafetensorsFile f = files.get(rank);
    if (f == null) {
      f = SafetensorsFile.open(dir.resolve(manifest.shards().get(rank).file()));
      files.put(rank, f);
    }
    return f;
  }

  @Override
  public void close() {
    files.values().forEach(SafetensorsFile::close);
    files.clear();
  }
}
