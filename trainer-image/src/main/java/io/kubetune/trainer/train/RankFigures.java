package io.kubetune.trainer.train;

/**
 * One rank's own figures after a step, for its status port: what it holds and what it did.
 *
 * @param tokens real tokens of this rank's share of the last step
 * @param stepSeconds the last step's wall time on this rank
 * @param collectiveSeconds time this rank has spent in collective operations since it started
 * @param parameterBytes parameters held between steps (trainable and frozen)
 * @param gradientBytes gradients held between steps
 * @param optimizerBytes AdamW moments held
 * @param peakRssBytes the process's peak resident set size so far
 */
public record RankFigures(
    int rank,
    int world,
    int zeroStage,
    long tokens,
    double stepSeconds,
    double collectiveSeconds,
    long parameterBytes,
    long gradientBytes,
    long optimizerBytes,
    long peakRssBytes) {}
