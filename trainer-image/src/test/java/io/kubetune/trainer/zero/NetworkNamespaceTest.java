package io.kubetune.trainer.zero;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kubetune.trainer.cli.Kubetune;
import io.kubetune.trainer.dist.CollectivesMain;
import io.kubetune.trainer.dist.Ranks;
import io.kubetune.trainer.train.CheckpointStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ranks in two network namespaces joined by a veth pair with addresses of their own: rendezvous and
 * collectives cross a real network interface (GLOO_SOCKET_IFNAME), not loopback. The test makes the
 * namespaces and removes them; it needs root (CI runs as root).
 */
@Tag("distributed")
class NetworkNamespaceTest {
  private static final String SUFFIX = String.valueOf(ProcessHandle.current().pid() % 100000);
  private static final String[] NS = {"kt-a-" + SUFFIX, "kt-b-" + SUFFIX};
  private static final String[] DEV = {"kta" + SUFFIX, "ktb" + SUFFIX};
  private static final String[] ADDR = {"10.213.77.1", "10.213.77.2"};
  @TempDir static Path dir;

  @BeforeAll
  static void namespaces() throws Exception {
    Ranks.requireNativeLibrary();
    boolean root = "0".equals(run(false, "id", "-u").trim());
    boolean required = Boolean.getBoolean("kubetune.dist.required");
    if (required && !root) {
      throw new AssertionError("the network-namespace test needs root");
    }
    assumeTrue(root, "needs root to make network namespaces");
    removeNamespaces();
    for (String ns : NS) {
      run(true, "ip", "netns", "add", ns);
    }
    run(true, "ip", "link", "add", DEV[0], "type", "veth", "peer", "name", DEV[1]);
    for (int i = 0; i < 2; i++) {
      run(true, "ip", "link", "set", DEV[i], "netns", NS[i]);
      run(true, "ip", "-n", NS[i], "addr", "add", ADDR[i] + "/24", "dev", DEV[i]);
      run(true, "ip", "-n", NS[i], "link", "set", DEV[i], "up");
      run(true, "ip", "-n", NS[i], "link", "set", "lo", "up");
    }
  }

  @AfterAll
  static void removeNamespaces() throws Exception {
    for (String ns : NS) {
      run(false, "ip", "netns", "del", ns); // takes its end of the veth pair along
    }
  }

  @Test
  void collectivesCrossTheVethPair() throws Exception {
    List<Ranks.Result> results = runRanks(Ranks.java(CollectivesMain.class, "ops"), "ops");
    for (Ranks.Result r : results) {
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output())
          .contains("joined the group at " + ADDR[0])
          .contains("Gloo on " + DEV[r.rank()])
          .contains("RESULT all_reduce [3.0, 3.0, 3.0, 3.0, 3.0, 3.0]")
          .contains("RESULT broadcast [42.0, 42.0, 42.0]");
    }
  }

  @Test
  void zero3TrainingAcrossNamespacesEqualsOneProcess() throws Exception {
    Path single = TrainJobs.job(dir, "netns-single", "lora", 0, 2, 3, 3, 60);
    TrainJobs.train(single, 1, dir);
    Path job = TrainJobs.job(dir, "netns-two", "lora", 3, 1, 3, 3, 60);
    List<Ranks.Result> results =
        runRanks(Ranks.java(Kubetune.class, "train", "-f", job.toString()), "train");
    for (Ranks.Result r : results) {
      assertThat(r.exitCode()).as(r.output()).isZero();
    }
    Path a = TrainJobs.latest(single);
    Path b = TrainJobs.latest(job);
    TrainJobs.assertSameLosses(TrainJobs.history(a), TrainJobs.history(b), 1e-5);
    TrainJobs.assertClose(
        TrainJobs.tensors(a, CheckpointStore.Field.PARAM),
        TrainJobs.tensors(b, CheckpointStore.Field.PARAM),
        1e-5);
  }

  private static List<Ranks.Result> runRanks(List<String> command, String name) throws Exception {
    int port = Ranks.freePort();
    List<Ranks.Running> running = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      List<String> inNamespace = new ArrayList<>(List.of("ip", "netns", "exec", NS[r]));
      inNamespace.addAll(command);
      Map<String, String> env = Ranks.env(r, 2, port);
      env.put("MASTER_ADDR", ADDR[0]);
      env.put("GLOO_SOCKET_IFNAME", DEV[r]);
      running.add(Ranks.start(inNamespace, env, dir.resolve(name + "-rank" + r + ".log"), r));
    }
    return Ranks.await(running, Duration.ofMinutes(4));
  }

  private static String run(boolean check, String... command)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    int rc = p.waitFor();
    if (check && rc != 0) {
      throw new AssertionError(String.join(" ", command) + " failed (" + rc + "): " + out);
    }
    return out;
  }
}
