package io.kubetune.trainer.cli;

import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts this node's ranks as child processes, as torchrun does: {@code kubetune train --nproc N}
 * on one machine (--standalone: the rendezvous is on 127.0.0.1 at a free port), or in a pod with
 * several GPUs (the operator's NODE_RANK, KUBETUNE_NPROC_PER_NODE, WORLD_SIZE, MASTER_ADDR). Each
 * child gets RANK = NODE_RANK * N + LOCAL_RANK and its own status port; their output lines are
 * prefixed with their rank; when one fails, the others are stopped and the launcher exits with the
 * first failure's code.
 */
final class LocalLauncher {
  /** How long ranks get to stop after SIGTERM before SIGKILL. */
  private static final long GRACE_SECONDS = 10;

  /** The node's place in the job. */
  record Node(int nodeRank, int perNode, int world, String masterAddr, int masterPort) {}

  private final PrintStream out;

  LocalLauncher(PrintStream out) {
    this.out = out;
  }

  /** This node from the environment, or a standalone one of perNode ranks. */
  static Node node(Map<String, String> env, int perNode) throws IOException {
    String addr = env.get("MASTER_ADDR");
    if (addr == null || addr.isBlank()) {
      return new Node(0, perNode, perNode, "127.0.0.1", freePort());
    }
    int nodeRank = integer(env, "NODE_RANK", 0);
    int world = integer(env, "WORLD_SIZE", perNode);
    if (world % perNode != 0 || nodeRank * perNode >= world) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR,
          "WORLD_SIZE="
              + world
              + " does not fit NODE_RANK="
              + nodeRank
              + " with "
              + perNode
              + " ranks per node");
    }
    return new Node(nodeRank, perNode, world, addr.trim(), integer(env, "MASTER_PORT", 29500));
  }

  /**
   * Runs the ranks of this node and returns the exit code: 0 when all succeed, else the first
   * failure's.
   *
   * @param args the train arguments for each rank (without --nproc)
   * @param statusPort the first rank's status port (rank i: + i), or null
   */
  int run(Node node, List<String> args, Integer statusPort)
      throws IOException, InterruptedException {
    out.printf(
        "kubetune train: starting ranks %d..%d of %d (rendezvous %s:%d)%n",
        node.nodeRank() * node.perNode(),
        (node.nodeRank() + 1) * node.perNode() - 1,
        node.world(),
        node.masterAddr(),
        node.masterPort());
    List<Process> ranks = new ArrayList<>();
    Thread stopper = new Thread(() -> ranks.forEach(Process::destroy));
    Runtime.getRuntime().addShutdownHook(stopper);
    CompletableFuture<int[]> firstFailure = new CompletableFuture<>();
    List<Thread> pumps = new ArrayList<>();
    for (int local = 0; local < node.perNode(); local++) {
      int rank = node.nodeRank() * node.perNode() + local;
      ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      env.putAll(rankEnvironment(node, local, env, statusPort));
      env.remove("KUBETUNE_NPROC_PER_NODE");
      Process p = pb.start();
      ranks.add(p);
      pumps.add(pump(p, "[rank " + rank + "] "));
      p.onExit()
          .thenAccept(
              done -> {
                if (done.exitValue() != 0) {
                  firstFailure.complete(new int[] {rank, done.exitValue()});
                }
              });
    }
    CompletableFuture<Void> allDone =
        CompletableFuture.allOf(
            ranks.stream().map(Process::onExit).toArray(CompletableFuture[]::new));
    CompletableFuture.anyOf(allDone, firstFailure).join();
    int code = 0;
    if (!firstFailure.isDone()) {
      // all ended before the failure callback ran: take the first failing rank
      for (int i = 0; i < ranks.size(); i++) {
        if (ranks.get(i).exitValue() != 0) {
          firstFailure.complete(
              new int[] {node.nodeRank() * node.perNode() + i, ranks.get(i).exitValue()});
          break;
        }
      }
    }
    if (firstFailure.isDone()) {
      int[] failed = firstFailure.join();
      code = failed[1];
      out.printf(
          "kubetune train: rank %d exited with code %d; stopping the other ranks%n",
          failed[0], failed[1]);
      ranks.forEach(Process::destroy);
      for (Process p : ranks) {
        if (!p.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    for (Thread t : pumps) {
      t.join(TimeUnit.SECONDS.toMillis(5));
    }
    Runtime.getRuntime().removeShutdownHook(stopper);
    return code;
  }

  /**
   * The variables a rank of this node gets on top of the node's: torchrun's RANK, LOCAL_RANK,
   * WORLD_SIZE, LOCAL_WORLD_SIZE, NODE_RANK, MASTER_ADDR/PORT, and its own status port (the node's,
   * or statusPort, plus the local rank).
   */
  static Map<String, String> rankEnvironment(
      Node node, int local, Map<String, String> nodeEnv, Integer statusPort) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("MASTER_ADDR", node.masterAddr());
    env.put("MASTER_PORT", String.valueOf(node.masterPort()));
    env.put("WORLD_SIZE", String.valueOf(node.world()));
    env.put("RANK", String.valueOf(node.nodeRank() * node.perNode() + local));
    env.put("LOCAL_RANK", String.valueOf(local));
    env.put("LOCAL_WORLD_SIZE", String.valueOf(node.perNode()));
    env.put("NODE_RANK", String.valueOf(node.nodeRank()));
    String base = nodeEnv.get("KUBETUNE_STATUS_PORT");
    if (statusPort != null) {
      env.put("KUBETUNE_STATUS_PORT", String.valueOf(statusPort + local));
    } else if (base != null && !base.isBlank()) {
      env.put("KUBETUNE_STATUS_PORT", String.valueOf(Integer.parseInt(base.trim()) + local));
    }
    return env;
  }

  /** This JVM's own command line, for a child running train with args. */
  private static List<String> command(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Kubetune.class.getName());
    command.add("train");
    command.addAll(args);
    return command;
  }

  private Thread pump(Process p, String prefix) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (out) {
                    out.println(prefix + line);
                  }
                }
              } catch (IOException e) {
                // the rank is gone; its exit code tells
              }
            },
            prefix.trim());
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int integer(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR, name + "='" + v + "': not an integer");
    }
  }
}
