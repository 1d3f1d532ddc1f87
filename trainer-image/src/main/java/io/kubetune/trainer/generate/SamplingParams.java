package io.kubetune.trainer.generate;

import java.util.List;
import java.util.Set;

/**
 * How to pick tokens and when to stop.
 *
 * @param temperature 0 means greedy (argmax)
 * @param topK 0 keeps every token
 * @param topP 1 keeps every token
 * @param repetitionPenalty 1 is none; above 1 discourages tokens already in the sequence
 * @param seed null for a random seed
 * @param stopTokenIds generation ends when one is produced (it is not part of the text)
 * @param stopStrings generation ends when the text contains one (it is cut before it)
 */
public record SamplingParams(
    int maxNewTokens,
    double temperature,
    int topK,
    double topP,
    double repetitionPenalty,
    Long seed,
    Set<Integer> stopTokenIds,
    List<String> stopStrings) {

  public SamplingParams {
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
    }
    if (temperature < 0) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("topK must be >= 0, got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    }
    if (!(repetitionPenalty > 0)) {
      throw new IllegalArgumentException("repetitionPenalty must be > 0, got " + repetitionPenalty);
    }
    stopTokenIds = Set.copyOf(stopTokenIds);
    stopStrings = List.copyOf(stopStrings);
  }

  public static SamplingParams greedy(int maxNewTokens, Set<Integer> stopTokenIds) {
    return new SamplingParams(maxNewTokens, 0, 0, 1, 1, null, stopTokenIds, List.of());
  }

  public boolean isGreedy() {
    return temperature < 1e-6;
  }

  public SamplingParams withStopTokenIds(Set<Integer> ids) {
    return new SamplingParams(
        maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, ids, stopStrings);
  }
}
