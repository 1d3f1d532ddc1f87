package io.kubetune.trainer.data;

import java.util.List;

/**
 * A dataset tokenized and held in memory as token arrays (about 4 bytes per token: a few hundred MB
 * of JSONL become a few hundred MB of ids), in file order.
 */
public record LoadedDataset(List<EncodedSample> samples, DatasetStats stats) {
  public LoadedDataset {
    samples = List.copyOf(samples);
  }
}
