package io.kubetune.trainer.data;

import static io.kubetune.trainer.data.EncodedSample.IGNORE_INDEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.tokenizer.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
  private static final int X = IGNORE_INDEX;
  private static final int PAD = 0;

  /** ids 1..n (offset), prompt of `prompt` tokens without loss, the rest with loss. */
  static EncodedSample sample(int offset, int length, int prompt) {
    int[] ids = new int[length];
    int[] labels = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = offset + i;
      labels[i] = i < prompt ? X : ids[i];
    }
    return EncodedSample.of(ids, labels);
  }

  /** Pre-training style: every token has a label, the first one too (Qwen: no bos). */
  static EncodedSample allLoss(int offset, int length) {
    return sample(offset, length, 0);
  }

  @Test
  void packedRowsRestartPositionsAndNumberSegments() {
    Batch b =
        Batches.packed(
            List.of(List.of(allLoss(10, 3), sample(20, 4, 1)), List.of(allLoss(30, 5))), 8, PAD);
    assertThat(b.rows()).isEqualTo(2);
    assertThat(b.columns()).isEqualTo(8);
    assertThat(b.samples()).isEqualTo(3);
    assertThat(b.inputIds())
        .containsExactly(10, 11, 12, 20, 21, 22, 23, PAD, 30, 31, 32, 33, 34, PAD, PAD, PAD);
    assertThat(b.positionIds()).containsExactly(0, 1, 2, 0, 1, 2, 3, 0, 0, 1, 2, 3, 4, 0, 0, 0);
    assertThat(b.segmentIds()).containsExactly(0, 0, 0, 1, 1, 1, 1, -1, 0, 0, 0, 0, 0, -1, -1, -1);
    assertThat(b.attentionMask()).containsExactly(1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0);
    // first label of every sample is -100: 20 would otherwise be the target of 12's logits
    assertThat(b.labels()).containsExactly(X, 11, 12, X, 21, 22, 23, X, X, 31, 32, 33, 34, X, X, X);
    assertThat(b.tokens()).isEqualTo(12);
    assertThat(b.lossTokens()).isEqualTo(9);
  }

  /**
   * The runtime's shift (logits[t] vs labels[t+1]) must never pair positions of different segments
   * or a token with padding, and lossTokens must equal the number of shifted targets.
   */
  @Test
  void noShiftedTargetCrossesASampleBoundary() {
    Batch b =
        Batches.packed(
            List.of(
                List.of(allLoss(100, 5), allLoss(200, 2), allLoss(300, 3)),
                List.of(sample(400, 6, 2), allLoss(500, 4))),
            12,
            PAD);
    int[] labels = b.labels();
    int[] segments = b.segmentIds();
    int targets = 0;
    for (int r = 0; r < b.rows(); r++) {
      for (int t = 0; t < b.columns() - 1; t++) {
        int i = r * b.columns() + t;
        if (labels[i + 1] != X) {
          targets++;
          assertThat(segments[i + 1]).as("row %d t %d", r, t).isEqualTo(segments[i]);
          assertThat(segments[i]).isNotEqualTo(Batch.PAD_SEGMENT);
        }
      }
      assertThat(labels[r * b.columns()]).isEqualTo(X); // t = 0 is never a target
    }
    assertThat(b.lossTokens()).isEqualTo(targets);
    // per sample, every label but the first survives: 4 + 1 + 2 + 4 + 3
    assertThat(targets).isEqualTo(14);
  }

  @Test
  void aTooLongSampleIsCutToTheRow() {
    Batch b = Batches.packed(List.of(List.of(allLoss(1, 20))), 8, PAD);
    assertThat(b.inputIds()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(b.positionIds()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(b.labels()).containsExactly(X, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void aRowThatOverflowsIsRefused() {
    assertThatThrownBy(() -> Batches.packed(List.of(List.of(allLoss(1, 5), allLoss(9, 5))), 8, PAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than 8 tokens");
  }

  @Test
  void paddedBatchPadsToTheLongestSample() {
    Batch b = Batches.padded(List.of(sample(10, 3, 1), sample(20, 5, 2)), 7);
    assertThat(b.columns()).isEqualTo(5);
    assertThat(b.inputIds()).containsExactly(10, 11, 12, 7, 7, 20, 21, 22, 23, 24);
    assertThat(b.labels()).containsExactly(X, 11, 12, X, X, X, X, 22, 23, 24);
    assertThat(b.attentionMask()).containsExactly(1, 1, 1, 0, 0, 1, 1, 1, 1, 1);
    assertThat(b.segmentIds()).containsExactly(0, 0, 0, -1, -1, 0, 0, 0, 0, 0);
    assertThat(b.positionIds()).containsExactly(0, 1, 2, 0, 0, 0, 1, 2, 3, 4);
    assertThat(b.row(b.inputIds(), 1)).containsExactly(20, 21, 22, 23, 24);
  }

  /** The training-step fixture's batch: same ids and labels, and lossTokens = its num_tokens. */
  @Test
  void fixtureTrainingBatch() throws Exception {
    JsonNode batch =
        new ObjectMapper().readTree(Fixtures.root().resolve("train/batch.json").toFile());
    EncodedSample s0 =
        EncodedSample.of(
            Fixtures.ints(batch.get("input_ids").get(0)),
            Fixtures.ints(batch.get("labels").get(0)));
    EncodedSample s1 =
        EncodedSample.of(
            Fixtures.ints(batch.get("input_ids").get(1)),
            Fixtures.ints(batch.get("labels").get(1)));
    Batch b = Batches.padded(List.of(s0, s1), 0);
    int expectedTargets = 0;
    for (JsonNode s : batch.get("per_sample")) {
      expectedTargets += s.get("num_tokens").asInt();
    }
    assertThat(b.lossTokens()).isEqualTo(expectedTargets).isEqualTo(30);
    int[] flatLabels = new int[48];
    for (int r = 0; r < 2; r++) {
      System.arraycopy(Fixtures.ints(batch.get("labels").get(r)), 0, flatLabels, r * 24, 24);
    }
    assertThat(b.labels()).isEqualTo(flatLabels);
  }

  @Test
  void labelsMustBeIdsOrIgnored() {
    assertThatThrownBy(() -> EncodedSample.of(new int[] {1, 2}, new int[] {1, 5}))
        .hasMessageContaining("neither -100 nor the input id");
  }
}
