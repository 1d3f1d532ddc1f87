package io.kubetune.trainer.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static SamplingParams params(double temperature, int topK, double topP, Long seed) {
    return new SamplingParams(16, temperature, topK, topP, 1.0, seed, Set.of(), List.of());
  }

  @Test
  void greedyPicksTheArgmax() {
    float[] logits = {0.1f, 2.5f, -1f, 2.4f};
    assertThat(new Sampler(SamplingParams.greedy(1, Set.of())).next(logits, new int[0], 0))
        .isEqualTo(1);
  }

  @Test
  void theSameSeedGivesTheSameDraws() {
    float[] logits = {1f, 1.1f, 0.9f, 1.05f, 0.7f};
    int[] a = new int[50];
    int[] b = new int[50];
    Sampler s1 = new Sampler(params(1.0, 0, 1.0, 7L));
    Sampler s2 = new Sampler(params(1.0, 0, 1.0, 7L));
    for (int i = 0; i < 50; i++) {
      a[i] = s1.next(logits.clone(), new int[0], 0);
      b[i] = s2.next(logits.clone(), new int[0], 0);
    }
    assertThat(a).isEqualTo(b);
    assertThat(java.util.Arrays.stream(a).distinct().count()).isGreaterThan(1);
  }

  @Test
  void topKOfOneIsGreedy() {
    float[] logits = {0.3f, 0.1f, 0.35f};
    Sampler s = new Sampler(params(5.0, 1, 1.0, 3L));
    for (int i = 0; i < 20; i++) {
      assertThat(s.next(logits.clone(), new int[0], 0)).isEqualTo(2);
    }
  }

  @Test
  void topPKeepsTheSmallestSetReachingTheMass() {
    // probabilities ~ 0.64, 0.24, 0.09, 0.03: top_p 0.8 keeps the first two tokens only
    float[] logits = {3f, 2f, 1f, 0f};
    Sampler s = new Sampler(params(1.0, 0, 0.8, 11L));
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      counts.merge(s.next(logits.clone(), new int[0], 0), 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsExactlyInAnyOrder(0, 1);
    double share = counts.get(0) / 2000.0;
    assertThat(share).isBetween(0.68, 0.78); // 0.64 / (0.64 + 0.24) = 0.73
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOnce() {
    float[] logits = {2f, -2f, 1f};
    Sampler.applyRepetitionPenalty(logits, new int[] {0, 1, 0}, 3, 2f);
    assertThat(logits).containsExactly(1f, -4f, 1f);
  }

  @Test
  void sortIsDescendingWithTiesByIdAndNaNLast() {
    assertThat(Sampler.sortedDescending(new float[] {0f, 3f, -1f, 3f, Float.NaN, -0.5f}))
        .containsExactly(1, 3, 0, 5, 2, 4);
  }
}
