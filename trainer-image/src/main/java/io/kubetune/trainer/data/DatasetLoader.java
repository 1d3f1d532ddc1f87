package io.kubetune.trainer.data;

import io.kubetune.api.DatasetSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads, checks, encodes and truncates the records of dataset files: the life of a sample up to
 * token ids and labels. The file is streamed record by record; only the token arrays are kept.
 *
 * <p>Errors: a missing or unreadable file is {@code NO_INPUT} naming the spec field; a malformed
 * record is {@code DATA_ERROR} as {@code file:line: reason}, unless the dataset says {@code
 * onInvalid: skip}, when it is counted in {@link DatasetStats} (invalid JSON inside a JSON array
 * file always fails: there is no next record to resume at).
 */
public final class DatasetLoader {
  private static final int MAX_EXAMPLES = 5;

  private final Tokenizer tokenizer;
  private final int maxLength;
  private final ImagePlaceholders images;

  /**
   * @param maxLength samples are cut to this many tokens (the head is kept, as XTuner does)
   */
  public DatasetLoader(Tokenizer tokenizer, int maxLength) {
    this(tokenizer, maxLength, null);
  }

  /**
   * @param images how the model takes images, for llava datasets (null: the model takes none)
   */
  public DatasetLoader(Tokenizer tokenizer, int maxLength, ImagePlaceholders images) {
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.images = images;
  }

  /** Loads every dataset of a spec; {@code files.get(i)} is the local file of datasets[i]. */
  public List<LoadedDataset> loadAll(List<DatasetSpec> specs, List<Path> files) {
    return loadAll(specs, files, List.of());
  }

  /**
   * @param imageFolders the image folder of each dataset that sets one (null or absent: the dataset
   *     file's folder)
   */
  public List<LoadedDataset> loadAll(
      List<DatasetSpec> specs, List<Path> files, List<Path> imageFolders) {
    List<LoadedDataset> out = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      Path folder = i < imageFolders.size() ? imageFolders.get(i) : null;
      Path file = files.get(i);
      out.add(
          load(
              "datasets[" + i + "]",
              specs.get(i),
              file,
              folder != null ? folder : file.toAbsolutePath().getParent()));
    }
    return out;
  }

  /**
   * @param field the spec path of the dataset, e.g. datasets[0], for errors
   */
  public LoadedDataset load(String field, DatasetSpec spec, Path file) {
    return load(field, spec, file, file.toAbsolutePath().getParent());
  }

  /**
   * @param imageFolder what a llava dataset's image paths are relative to
   */
  public LoadedDataset load(String field, DatasetSpec spec, Path file, Path imageFolder) {
    if (!Files.isRegularFile(file)) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT, field + ".source: no such file: " + file);
    }
    RecordParser parser = RecordParser.forFormat(spec.format());
    SampleEncoder encoder = SampleEncoders.forDataset(field, spec, tokenizer);
    if (spec.format() == DatasetSpec.Format.LLAVA) {
      if (images == null) {
        throw new KubetuneException(
            TrainerExitCodes.CONFIG_ERROR,
            field
                + ".format: llava data needs a model with a vision tower (a llava-hf folder, or"
                + " model.visionTower)");
      }
      if (!Files.isDirectory(imageFolder)) {
        throw new KubetuneException(
            TrainerExitCodes.NO_INPUT, field + ".imageFolder: no such folder: " + imageFolder);
      }
      encoder = new ImageSampleEncoder(encoder, images, imageFolder);
    }
    boolean skip = spec.onInvalid() == DatasetSpec.OnInvalid.SKIP;
    long limit = spec.maxSamples() == null ? Long.MAX_VALUE : spec.maxSamples();
    List<EncodedSample> samples = new ArrayList<>();
    List<String> examples = new ArrayList<>();
    long records = 0;
    long invalid = 0;
    long noLoss = 0;
    long truncated = 0;
    long tokens = 0;
    long lossTokens = 0;
    try (RecordReader reader = RecordReader.open(file)) {
      RecordReader.Item item;
      while (samples.size() < limit && (item = reader.next()) != null) {
        records++;
        String problem = item.error();
        EncodedSample sample = null;
        if (problem == null) {
          try {
            sample = encoder.encode(parser.parse(item.node())).withOrigin(file + ":" + item.line());
          } catch (InvalidRecordException e) {
            problem = e.reason();
          }
        }
        if (problem != null) {
          String message = file + ":" + item.line() + ": " + problem;
          if (!skip) {
            throw new KubetuneException(TrainerExitCodes.DATA_ERROR, message);
          }
          invalid++;
          if (examples.size() < MAX_EXAMPLES) {
            examples.add(message);
          }
          continue;
        }
        boolean cut = sample.length() > maxLength;
        sample = sample.truncate(maxLength);
        if (sample.lossTokens() == 0) {
          noLoss++;
          continue;
        }
        truncated += cut ? 1 : 0;
        samples.add(sample);
        tokens += sample.length();
        lossTokens += sample.lossTokens();
      }
    } catch (InvalidRecordException e) {
      throw new KubetuneException(
          TrainerExitCodes.DATA_ERROR, file + ":" + e.line() + ": " + e.reason());
    } catch (IOException e) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT, field + ".source: cannot read " + file + ": " + e, e);
    }
    if (samples.isEmpty()) {
      throw new KubetuneException(
          TrainerExitCodes.DATA_ERROR,
          file
              + ": no usable sample ("
              + records
              + " records, "
              + invalid
              + " invalid, "
              + noLoss
              + " without loss)");
    }
    DatasetStats stats =
        new DatasetStats(
            spec.source(),
            records,
            samples.size(),
            invalid,
            noLoss,
            truncated,
            tokens,
            lossTokens,
            examples);
    return new LoadedDataset(samples, stats);
  }
}
