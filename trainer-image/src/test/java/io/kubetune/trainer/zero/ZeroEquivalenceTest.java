package io.kubetune.trainer.zero;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.dist.Ranks;
import io.kubetune.trainer.train.CheckpointStore;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two ranks at each ZeRO stage compute what one rank computes on the same global batch: the same
 * per-step losses and the same trained weights and AdamW moments, within 1e-5 relative (fp32), for
 * full fine-tuning and for LoRA (with dropout: its masks do not depend on the world size).
 */
@Tag("distributed")
class ZeroEquivalenceTest {
  private static final int STEPS = 4;
  private static final int RANKS = Integer.getInteger("kubetune.dist.ranks", 2);
  @TempDir static Path dir;

  @BeforeAll
  static void library() {
    Ranks.requireNativeLibrary();
  }

  @ParameterizedTest(name = "{0}, ZeRO stage {1}, " + "ranks from -Dkubetune.dist.ranks")
  @CsvSource({"full,0", "full,1", "full,2", "full,3", "lora,0", "lora,1", "lora,2", "lora,3"})
  void twoRanksEqualOneRankOnTheSameGlobalBatch(String method, int stage) throws Exception {
    Path single = reference(method);
    Path job = TrainJobs.job(dir, method + "-stage" + stage, method, stage, 1, STEPS, STEPS, 60);
    TrainJobs.train(job, RANKS, dir);
    Path two = TrainJobs.latest(job);

    assertThat(TrainJobs.manifest(two).world()).isEqualTo(RANKS);
    TrainJobs.assertSameLosses(TrainJobs.history(single), TrainJobs.history(two), 1e-5);
    for (CheckpointStore.Field f : CheckpointStore.Field.values()) {
      TrainJobs.assertClose(TrainJobs.tensors(single, f), TrainJobs.tensors(two, f), 1e-5);
    }
    // the export rank 0 wrote (at stage 3 gathered layer by layer) is the same model
    TrainJobs.assertClose(
        TrainJobs.exported(TrainJobs.output(job.resolveSibling(method + "-single.yaml"))),
        TrainJobs.exported(TrainJobs.output(job)),
        1e-5);
  }

  @org.junit.jupiter.api.Test
  void aLastStepWithFewerMicroBatchesThanRanksStillEqualsOneRank() throws Exception {
    // one epoch, in steps of 3 micro-batches: the data's last step is short when its batch count
    // is not a multiple of 3, and then a rank has nothing of its own to compute
    Path single = epochJob("epoch-single", 3);
    TrainJobs.train(single, 1, dir);
    Path three = epochJob("epoch-three", 1);
    TrainJobs.train(three, 3, dir);
    Path a = TrainJobs.latest(single);
    Path b = TrainJobs.latest(three);
    var history = TrainJobs.history(a);
    assertThat(history.get(history.size() - 1).tokens())
        .as("the last step is short")
        .isLessThan(history.get(0).tokens());
    TrainJobs.assertSameLosses(history, TrainJobs.history(b), 1e-5);
    TrainJobs.assertClose(
        TrainJobs.tensors(a, CheckpointStore.Field.PARAM),
        TrainJobs.tensors(b, CheckpointStore.Field.PARAM),
        1e-5);
  }

  private static Path epochJob(String name, int accumulation) throws Exception {
    Path job = TrainJobs.job(dir, name, "full", 3, accumulation, 1, 0, 60);
    String yaml = java.nio.file.Files.readString(job).replace("maxSteps: 1,", "epochs: 1,");
    return java.nio.file.Files.writeString(job, yaml);
  }

  /** One rank, gradient accumulation N x micro-batch 2: the global batch of N ranks x 1 x 2. */
  private static Path reference(String method) throws Exception {
    Path job = dir.resolve(method + "-single.yaml");
    if (!job.toFile().exists()) {
      TrainJobs.job(dir, method + "-single", method, 0, RANKS, STEPS, STEPS, 60);
      TrainJobs.train(job, 1, dir);
    }
    return TrainJobs.latest(job);
  }
}
