package io.kubetune.trainer.zero;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.cli.Kubetune;
import io.kubetune.trainer.dist.Ranks;
import io.kubetune.trainer.train.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens when a rank dies or hangs, and resuming: the survivors exit 75 within the timeout
 * plus 5 s naming the peer; a rerun resumes from the last complete checkpoint and ends where an
 * uninterrupted run ends; a checkpoint of 2 ranks resumes on 1 and on 4.
 */
@Tag("distributed")
class FaultToleranceTest {
  private static final int TIMEOUT = 10;
  @TempDir Path dir;

  @BeforeAll
  static void library() {
    Ranks.requireNativeLibrary();
  }

  @Test
  void aRankKilledMidStepStopsTheOthersAndARerunEndsLikeAnUninterruptedRun() throws Exception {
    Path straight = TrainJobs.job(dir, "straight", "full", 2, 1, 12, 2, TIMEOUT);
    TrainJobs.train(straight, 2, dir);

    Path job = TrainJobs.job(dir, "killed", "full", 2, 1, 12, 2, TIMEOUT);
    List<Ranks.Running> ranks = startRanks(job, 2);
    awaitLine(ranks.get(0), "checkpoints/step-00000004 written", Duration.ofMinutes(3));
    Thread.sleep(300); // into step 5 or 6
    ranks.get(1).process().destroyForcibly(); // SIGKILL
    long killed = System.nanoTime();
    Ranks.Result survivor = Ranks.await(ranks.subList(0, 1), Duration.ofMinutes(1)).get(0);
    Duration took = Duration.ofNanos(System.nanoTime() - killed);

    assertThat(survivor.exitCode()).as(survivor.output()).isEqualTo(75);
    assertThat(survivor.output())
        .containsPattern("rank 0: \\w+ #\\d+ \\(.+\\) failed: rank 1 was lost");
    assertThat(took).isLessThan(Duration.ofSeconds(TIMEOUT + 5));

    Ranks.Result rerun = TrainJobs.train(job, 2, dir);
    assertThat(rerun.output()).containsPattern("resuming from checkpoints/step-0000000[4-9]");
    Path a = TrainJobs.latest(straight);
    Path b = TrainJobs.latest(job);
    assertThat(b.getFileName()).isEqualTo(a.getFileName());
    TrainJobs.assertSameLosses(TrainJobs.history(a), TrainJobs.history(b), 1e-6);
    for (CheckpointStore.Field f : CheckpointStore.Field.values()) {
      TrainJobs.assertClose(TrainJobs.tensors(a, f), TrainJobs.tensors(b, f), 1e-6);
    }
  }

  @Test
  void theLauncherStopsEveryRankWhenOneFailsAndExitsWithItsCode() throws Exception {
    Path job = TrainJobs.job(dir, "launched", "lora", 1, 1, 200, 0, TIMEOUT);
    Ranks.Running launcher =
        Ranks.start(
            Ranks.java(Kubetune.class, "train", "-f", job.toString(), "--nproc", "2"),
            java.util.Map.of(),
            dir.resolve("launched.log"),
            0);
    // the launcher's output is not a terminal, so progress lines come every few steps
    awaitLine(launcher, "step 1/200", Duration.ofMinutes(3));
    ProcessHandle rank1 =
        launcher
            .process()
            .descendants()
            .filter(p -> environment(p).contains("\0RANK=1\0"))
            .findFirst()
            .orElseThrow();
    rank1.destroyForcibly();

    Ranks.Result result = Ranks.await(List.of(launcher), Duration.ofMinutes(1)).get(0);
    assertThat(result.exitCode()).isEqualTo(137);
    assertThat(result.output())
        .contains("[rank 0] ")
        .contains("kubetune train: rank 1 exited with code 137; stopping the other ranks");
    assertThat(launcher.process().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private static String environment(ProcessHandle p) {
    try {
      return "\0" + Files.readString(Path.of("/proc/" + p.pid() + "/environ"));
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void aHungRankMakesTheOthersExitAtTheTimeoutNamingIt() throws Exception {
    Path job = TrainJobs.job(dir, "hung", "lora", 3, 1, 40, 0, TIMEOUT);
    List<Ranks.Running> ranks = startRanks(job, 2);
    awaitLine(ranks.get(0), "step 2/40", Duration.ofMinutes(3));
    long pid = ranks.get(1).process().pid();
    new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor();
    long stopped = System.nanoTime();
    try {
      Ranks.Result survivor = Ranks.await(ranks.subList(0, 1), Duration.ofMinutes(1)).get(0);
      Duration took = Duration.ofNanos(System.nanoTime() - stopped);
      assertThat(survivor.exitCode()).as(survivor.output()).isEqualTo(75);
      assertThat(survivor.output()).containsPattern("failed: rank 1 was lost");
      assertThat(took).isLessThan(Duration.ofSeconds(TIMEOUT + 5));
    } finally {
      ranks.get(1).process().destroyForcibly();
    }
  }

  @Test
  void aCheckpointOfTwoRanksResumesOnOneAndOnFourRanks() throws Exception {
    // global batch 8 = 2 ranks x accumulation 2 x micro-batch 2 = 1 x 4 x 2 = 4 x 1 x 2
    Path two = TrainJobs.job(dir, "two", "lora", 2, 2, 8, 4, 60);
    TrainJobs.train(two, 2, dir);
    Path end = TrainJobs.latest(two);

    for (int world : new int[] {1, 4}) {
      String name = "from-two-on-" + world;
      Path job = TrainJobs.job(dir, name, "lora", 3, 4 / world, 8, 4, 60);
      Path out = TrainJobs.output(job);
      copyUpToStep4(TrainJobs.output(two), out);

      Ranks.Result result = TrainJobs.train(job, world, dir);

      assertThat(result.output())
          .contains("resuming from checkpoints/step-00000004")
          .contains("written by 2 ranks; re-sharded for " + world);
      Path resumed = TrainJobs.latest(job);
      assertThat(TrainJobs.manifest(resumed).world()).isEqualTo(world);
      TrainJobs.assertSameLosses(TrainJobs.history(end), TrainJobs.history(resumed), 1e-5);
      for (CheckpointStore.Field f : CheckpointStore.Field.values()) {
        TrainJobs.assertClose(TrainJobs.tensors(end, f), TrainJobs.tensors(resumed, f), 1e-5);
      }
    }
  }

  /** What a run of two ranks stopped after step 4 leaves: its checkpoints up to step 4. */
  private static void copyUpToStep4(Path from, Path to) throws Exception {
    Path checkpoints = to.resolve(CheckpointStore.DIR);
    Files.createDirectories(checkpoints);
    Path step4 = from.resolve(CheckpointStore.DIR).resolve("step-00000004");
    Path target = checkpoints.resolve(step4.getFileName());
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(step4)) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
  }

  private static List<Ranks.Running> startRanks(Path job, int world) throws Exception {
    int port = Ranks.freePort();
    List<Ranks.Running> out = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      out.add(
          Ranks.start(
              Ranks.java(Kubetune.class, "train", "-f", job.toString()),
              Ranks.env(r, world, port),
              job.resolveSibling(job.getFileName() + ".rank" + r + ".log"),
              r));
    }
    return out;
  }

  private static void awaitLine(Ranks.Running rank, String text, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(rank.log()) && Files.readString(rank.log()).contains(text)) {
        return;
      }
      if (!rank.process().isAlive()) {
        throw new AssertionError(
            "rank "
                + rank.rank()
                + " ended before '"
                + text
                + "':\n"
                + Files.readString(rank.log()));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no '" + text + "' within " + timeout);
  }
}
