package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainingDataIteratorTest {

  /** Two datasets of samples whose first id tells them apart (dataset * 1000 + index). */
  private static List<LoadedDataset> datasets() {
    Random lengths = new Random(7);
    List<LoadedDataset> out = new ArrayList<>();
    int[] sizes = {23, 14};
    for (int d = 0; d < sizes.length; d++) {
      List<EncodedSample> samples = new ArrayList<>();
      for (int i = 0; i < sizes[d]; i++) {
        samples.add(BatchesTest.sample((d + 1) * 1000 + i * 10, 2 + lengths.nextInt(9), 1));
      }
      out.add(
          new LoadedDataset(
              samples, new DatasetStats("d" + d, sizes[d], sizes[d], 0, 0, 0, 0, 0, List.of())));
    }
    return out;
  }

  private static List<String> drain(TrainingDataIterator it) {
    List<String> out = new ArrayList<>();
    while (it.hasNext()) {
      out.add(describe(it.next()));
    }
    return out;
  }

  private static String describe(Batch b) {
    return java.util.Arrays.toString(b.inputIds()) + java.util.Arrays.toString(b.labels());
  }

  @Test
  void sameSeedSameBatchesOtherSeedOtherOrder() {
    BatchOptions o = new BatchOptions(4, 32, false, 0, 42, 2);
    List<String> a = drain(new TrainingDataIterator(datasets(), o, DataPosition.START));
    List<String> b = drain(new TrainingDataIterator(datasets(), o, DataPosition.START));
    List<String> c =
        drain(
            new TrainingDataIterator(
                datasets(), new BatchOptions(4, 32, false, 0, 43, 2), DataPosition.START));
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    assertThat(a).hasSize(2 * 10); // ceil(37 / 4) per epoch
  }

  @Test
  void everyEpochSeesEverySampleOnceInADifferentOrder() {
    TrainingDataIterator it =
        new TrainingDataIterator(
            datasets(), new BatchOptions(5, 32, false, 0, 1, 2), DataPosition.START);
    List<List<Integer>> epochs = List.of(new ArrayList<>(), new ArrayList<>());
    while (it.hasNext()) {
      int epoch = it.position().epoch();
      Batch b = it.next();
      int[] ids = b.inputIds();
      for (int r = 0; r < b.rows(); r++) {
        epochs.get(epoch).add(ids[r * b.columns()]);
      }
    }
    for (List<Integer> firsts : epochs) {
      assertThat(firsts).hasSize(37).doesNotHaveDuplicates();
      assertThat(firsts).filteredOn(i -> i >= 2000).hasSize(14); // both datasets are mixed in
    }
    assertThat(epochs.get(0)).isNotEqualTo(epochs.get(1));
  }

  @Test
  void resumingAtARecordedPositionContinuesExactly() {
    for (boolean packing : new boolean[] {false, true}) {
      BatchOptions o = new BatchOptions(3, 24, packing, 0, 5, 3);
      List<String> full = drain(new TrainingDataIterator(datasets(), o, DataPosition.START));
      for (int k : new int[] {1, 4, full.size() / 2, full.size() - 1}) {
        TrainingDataIterator first = new TrainingDataIterator(datasets(), o, DataPosition.START);
        for (int i = 0; i < k; i++) {
          first.next();
        }
        DataPosition saved = first.position();
        List<String> rest = drain(new TrainingDataIterator(datasets(), o, saved));
        assertThat(rest)
            .as("packing %s after %d", packing, k)
            .isEqualTo(full.subList(k, full.size()));
      }
    }
  }

  @Test
  void positionMovesThroughEpochs() {
    TrainingDataIterator it =
        new TrainingDataIterator(
            datasets(), new BatchOptions(10, 32, false, 0, 1, 2), DataPosition.START);
    assertThat(it.position()).isEqualTo(new DataPosition(0, 0));
    it.next();
    assertThat(it.position()).isEqualTo(new DataPosition(0, 10));
    it.next();
    it.next();
    it.next(); // 37 samples: the 4th batch has 7 rows and ends the epoch
    assertThat(it.position()).isEqualTo(new DataPosition(1, 0));
  }

  @Test
  void packedBatchesFillRowsAndBatchCountIsKnownAhead() {
    BatchOptions o = new BatchOptions(2, 24, true, 0, 9, 2);
    TrainingDataIterator it = new TrainingDataIterator(datasets(), o, DataPosition.START);
    int[] expected = {it.batchesInEpoch(0), it.batchesInEpoch(1)};
    int[] seen = new int[2];
    int samples = 0;
    while (it.hasNext()) {
      int epoch = it.position().epoch();
      Batch b = it.next();
      seen[epoch]++;
      samples += b.samples();
      assertThat(b.columns()).isEqualTo(24);
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(samples).isEqualTo(2 * 37);
  }

  @Test
  void aPositionOutsideTheDataIsRefused() {
    assertThatThrownBy(
            () ->
                new TrainingDataIterator(
                    datasets(), new BatchOptions(2, 24, true, 0, 9, 2), new DataPosition(0, 38)))
        .hasMessageContaining("did the datasets change");
  }
}
