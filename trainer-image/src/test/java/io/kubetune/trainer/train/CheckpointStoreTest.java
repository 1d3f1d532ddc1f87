package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.data.DataPosition;
import io.kubetune.trainer.weights.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharded checkpoints: complete only with a manifest and all shards at their sizes, and readable by
 * name whatever world size wrote them.
 */
class CheckpointStoreTest {
  @TempDir Path dir;

  @Test
  void aCheckpointCountsOnlyWithItsManifestAndEveryShard() throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put("model.layers.0.mlp.up_proj.weight", m.arange(0f, 6f).reshape(2, 3));
      tensors.put("model.norm.weight", m.arange(10f, 13f));
      FlatLayout layout = FlatLayout.of(tensors);
      CheckpointStore store = new CheckpointStore(dir, 5);

      Path four = write(store, layout, tensors, 4, m);
      Path six = write(store, layout, tensors, 6, m);
      assertThat(store.list()).containsExactly(four, six);

      Files.delete(six.resolve(CheckpointManifest.shardFile(1, 2)));
      assertThat(store.latest()).contains(four);
      Files.writeString(six.resolve(CheckpointManifest.shardFile(1, 2)), "truncated");
      assertThat(store.latest()).contains(four);
      Path pending = store.pending(8);
      store.writeShard(pending, 0, 2, List.of(), Map.of());
      assertThat(store.latest()).as("a pending checkpoint is not one").contains(four);

      Map<String, NDArray> read = new LinkedHashMap<>();
      tensors.forEach((n, t) -> read.put(n, m.zeros(t.getShape())));
      store.restoreTrainable(four, read, m);
      tensors.forEach(
          (n, t) -> assertThat(read.get(n).toFloatArray()).containsExactly(t.toFloatArray()));
    }
  }

  /** A checkpoint as 2 ranks write it: each its range of each unit's flat parameters. */
  private static Path write(
      CheckpointStore store,
      FlatLayout layout,
      Map<String, NDArray> tensors,
      long step,
      NDManager m)
      throws Exception {
    Path pending = store.pending(step);
    for (int rank = 0; rank < 2; rank++) {
      List<TensorSource> mine = new java.util.ArrayList<>();
      for (FlatLayout.Unit u : layout.units()) {
        NDArray flat =
            ai.djl.ndarray.NDArrays.concat(
                new ai.djl.ndarray.NDList(
                    u.slots().stream().map(s -> tensors.get(s.name()).reshape(-1)).toList()));
        FlatLayout.Range r = u.range(2, rank);
        NDArray part = flat.get(r.start() + ":" + r.end());
        for (CheckpointStore.Field f : CheckpointStore.Field.values()) {
          mine.add(TensorSource.of(f.tensorName(u.name()), part));
        }
      }
      store.writeShard(pending, rank, 2, mine, Map.of());
    }
    CheckpointState state =
        new CheckpointState(step, 10, DataPosition.START, step, "full", "x", List.of(), "now");
    return store.commit(
        pending, new CheckpointManifest(CheckpointManifest.FORMAT, 2, 2, layout, List.of(), state));
  }
}
