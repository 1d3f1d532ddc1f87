package io.kubetune.trainer.train;

import java.util.List;

/**
 * manifest.json of a checkpoint: what was trained, how it is split, and the run's state. Written
 * last, by rank 0, once every rank's shard file is complete: a checkpoint without it, or whose
 * shard files do not match it, is incomplete and never resumed from.
 *
 * @param world the number of ranks (and shard files) that wrote it
 * @param zeroStage the ZeRO stage of the run that wrote it (any stage can resume it)
 * @param layout where each trainable tensor lies in the units' flat spaces
 * @param shards the shard files, in rank order, with their sizes
 */
public record CheckpointManifest(
    String format,
    int world,
    int zeroStage,
    FlatLayout layout,
    List<Shard> shards,
    CheckpointState state) {
  public static final String FORMAT = "kubetune-sharded-1";

  public CheckpointManifest {
    shards = List.copyOf(shards);
  }

  /** One rank's file. */
  public record Shard(int rank, String file, long bytes) {}

  /** The file name of rank's shard. */
  public static String shardFile(int rank, int world) {
    return String.format("rank-%05d-of-%05d.safetensors", rank, world);
  }
}
