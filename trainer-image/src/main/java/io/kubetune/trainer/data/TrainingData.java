package io.kubetune.trainer.data;

import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * The training data of a job, loaded: what the training loop holds. Typical use:
 *
 * <pre>{@code
 * TrainingData data = TrainingData.load(job.spec(), job.datasetFiles(), tokenizer);
 * data.stats().forEach(s -> log.info(s.summary()));
 * TrainingDataIterator batches = data.batches(checkpoint.map(c -> c.position()).orElse(START));
 * while (batches.hasNext()) { Batch b = batches.next(); ...; save(batches.position()); }
 * }</pre>
 */
public final class TrainingData {
  private final List<LoadedDataset> datasets;
  private final BatchOptions options;

  private TrainingData(List<LoadedDataset> datasets, BatchOptions options) {
    this.datasets = List.copyOf(datasets);
    this.options = options;
  }

  /**
   * Loads every dataset of the spec.
   *
   * @param datasetFiles the local file of each dataset, in spec order
   * @throws io.kubetune.trainer.error.KubetuneException DATA_ERROR, NO_INPUT or CONFIG_ERROR
   */
  public static TrainingData load(
      TrainingJobSpec spec, List<Path> datasetFiles, Tokenizer tokenizer) {
    return load(spec, datasetFiles, List.of(), tokenizer, null);
  }

  /**
   * Loads every dataset of the spec for a model that takes images.
   *
   * @param imageFolders each dataset's image folder (null entries: the dataset file's folder)
   * @param images how the model takes images (null: it takes none, and llava data is refused)
   */
  public static TrainingData load(
      TrainingJobSpec spec,
      List<Path> datasetFiles,
      List<Path> imageFolders,
      Tokenizer tokenizer,
      ImagePlaceholders images) {
    int maxLength = spec.training().maxLength();
    List<LoadedDataset> datasets =
        new DatasetLoader(tokenizer, maxLength, images)
            .loadAll(spec.datasets(), datasetFiles, imageFolders);
    return new TrainingData(datasets, BatchOptions.of(spec.training(), padId(tokenizer)));
  }

  /**
   * The id written in padding: pad_token, else eos_token, else 0. Padding is never attended to by
   * real tokens and has no loss, so any valid id works.
   */
  public static int padId(Tokenizer tokenizer) {
    return tokenizer.padId().orElse(tokenizer.eosId().orElse(0));
  }

  /** Per dataset, in spec order: counts to log and to export as metrics. */
  public List<DatasetStats> stats() {
    return datasets.stream().map(LoadedDataset::stats).toList();
  }

  public List<LoadedDataset> datasets() {
    return datasets;
  }

  public BatchOptions options() {
    return options;
  }

  /** Batches from {@code start} ({@link DataPosition#START} or a checkpoint's position). */
  public TrainingDataIterator batches(DataPosition start) {
    return new TrainingDataIterator(datasets, options, start);
  }
}
