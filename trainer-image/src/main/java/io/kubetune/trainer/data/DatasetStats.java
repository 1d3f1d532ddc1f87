package io.kubetune.trainer.data;

import java.util.List;

/**
 * What loading one dataset did, for the trainer's log and metrics.
 *
 * @param source the dataset's source URI as the spec wrote it
 * @param records records read (valid or not)
 * @param samples samples kept for training
 * @param invalid malformed records skipped (onInvalid: skip)
 * @param noLoss samples dropped because no token is supervised after truncation (XTuner drops these
 *     too)
 * @param truncated kept samples cut to maxLength
 * @param tokens tokens in the kept samples
 * @param lossTokens supervised tokens in the kept samples
 * @param invalidExamples the first few "file:line: reason" of skipped records
 */
public record DatasetStats(
    String source,
    long records,
    long samples,
    long invalid,
    long noLoss,
    long truncated,
    long tokens,
    long lossTokens,
    List<String> invalidExamples) {

  public DatasetStats {
    invalidExamples = List.copyOf(invalidExamples);
  }

  /** One log line. */
  public String summary() {
    return String.format(
        "%s: %d samples, %d tokens (%d with loss) from %d records; %d invalid skipped, %d without"
            + " loss dropped, %d truncated",
        source, samples, tokens, lossTokens, records, invalid, noLoss, truncated);
  }
}
