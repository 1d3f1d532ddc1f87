package io.kubetune.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native collective layer across real processes: results, and what a lost peer does. */
@Tag("distributed")
class C10dGroupTest {
  @TempDir Path dir;

  @BeforeAll
  static void library() {
    Ranks.requireNativeLibrary();
  }

  @Test
  void collectivesComputeWhatTheirDefinitionsSay() throws Exception {
    List<Ranks.Result> results =
        Ranks.run(CollectivesMain.class, 3, dir, Duration.ofMinutes(2), "ops");
    for (Ranks.Result r : results) {
      assertThat(r.exitCode()).as(r.output()).isZero();
      String out = r.output();
      assertThat(out).contains("RESULT all_reduce [6.0, 6.0, 6.0, 6.0, 6.0, 6.0]");
      assertThat(out).contains("RESULT all_reduce_bf16 [9.0, 9.0, 9.0, 9.0]");
      // sum over ranks of arange(12) * (rank + 1) = arange(12) * 6; rank r keeps [4r, 4r + 4)
      int k = r.rank() * 4;
      assertThat(out)
          .contains(
              "RESULT reduce_scatter ["
                  + (6f * k)
                  + ", "
                  + (6f * (k + 1))
                  + ", "
                  + (6f * (k + 2))
                  + ", "
                  + (6f * (k + 3))
                  + "]");
      assertThat(out).contains("RESULT all_gather [0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 2.5, 2.5, 2.5]");
      assertThat(out).contains("RESULT all_gather_u8 [7.0, 7.0, 17.0, 17.0, 27.0, 27.0]");
      assertThat(out).contains("RESULT broadcast [42.0, 42.0, 42.0]");
      assertThat(out).contains("RESULT store from " + (r.rank() + 1) % 3);
    }
  }

  @Test
  void aPeerKilledBeforeACollectiveIsNamedAndTheOthersFailFast() throws Exception {
    List<Ranks.Result> results =
        Ranks.run(CollectivesMain.class, 3, dir, Duration.ofMinutes(2), "die", "30000");
    assertThat(results.get(2).exitCode()).isEqualTo(9);
    for (Ranks.Result r : results.subList(0, 2)) {
      assertThat(r.exitCode()).as(r.output()).isEqualTo(75);
      assertThat(r.output())
          .contains("all_reduce #2 (gradients of layer 3) failed")
          .contains("rank 2 was lost");
      // well before the 30 s timeout: a closed connection is noticed at once
      assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(25));
    }
  }

  @Test
  void aHungPeerFailsTheOthersAtTheTimeoutAndIsNamed() throws Exception {
    long started = System.nanoTime();
    List<Ranks.Result> results =
        Ranks.run(CollectivesMain.class, 2, dir, Duration.ofMinutes(2), "hang", "4000");
    Ranks.Result survivor = results.get(0);
    assertThat(survivor.exitCode()).as(survivor.output()).isEqualTo(75);
    assertThat(survivor.output())
        .contains("all_reduce #2 (gradients of layer 3) failed")
        .contains("rank 1 is alive but has not joined operation #2 (it is in barrier #1");
  }
}
