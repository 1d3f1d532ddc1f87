package io.kubetune.trainer.dist;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the ranks of a test job as child JVMs on this machine (the test classpath, torchrun's
 * environment), each with its output in a file, and waits for them with a bound.
 */
public final class Ranks {
  /** One finished rank. */
  public record Result(int rank, int exitCode, String output, Duration elapsed) {}

  /** One started rank. */
  public record Running(int rank, Process process, Path log, long startedNanos) {}

  private Ranks() {}

  /**
   * Skips the calling test where the native library has not been built, unless the build says it
   * must be there (-Dkubetune.dist.required=true, as CI's dist stage does).
   */
  public static void requireNativeLibrary() {
    boolean present = C10dLibrary.locate(System.getenv()).isPresent();
    if (!present && Boolean.getBoolean("kubetune.dist.required")) {
      throw new AssertionError(
          C10dLibrary.FILE_NAME + " is missing: run trainer-image/src/main/native/build.sh");
    }
    assumeTrue(
        present, C10dLibrary.FILE_NAME + " not built (trainer-image/src/main/native/build.sh)");
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The java command for a main class of the test classpath, with the test JVM's settings. */
  public static List<String> java(Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-Dai.djl.offline=true");
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return command;
  }

  public static Map<String, String> env(int rank, int world, int port) {
    Map<String, String> env = new HashMap<>();
    env.put("MASTER_ADDR", "127.0.0.1");
    env.put("MASTER_PORT", String.valueOf(port));
    env.put("WORLD_SIZE", String.valueOf(world));
    env.put("RANK", String.valueOf(rank));
    env.put("LOCAL_RANK", String.valueOf(rank));
    return env;
  }

  public static Running start(List<String> command, Map<String, String> env, Path log, int rank)
      throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new Running(rank, pb.start(), log, System.nanoTime());
  }

  /** Waits for every rank (killing all after timeout) and returns their results in rank order. */
  public static List<Result> await(List<Running> ranks, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Result> out = new ArrayList<>();
    for (Running r : ranks) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!r.process().waitFor(left, TimeUnit.NANOSECONDS)) {
        ranks.forEach(x -> x.process().destroyForcibly());
        throw new AssertionError(
            "rank "
                + r.rank()
                + " still running after "
                + timeout
                + ":\n"
                + Files.readString(r.log()));
      }
      String output = Files.readString(r.log());
      // the ranks' own lines, for the test report
      output.lines().forEach(l -> System.out.println("[rank " + r.rank() + "] " + l));
      out.add(
          new Result(
              r.rank(),
              r.process().exitValue(),
              output,
              Duration.ofNanos(System.nanoTime() - r.startedNanos())));
    }
    return out;
  }

  /** Starts world ranks of main (same arguments) and waits for them. */
  public static List<Result> run(
      Class<?> main, int world, Path logs, Duration timeout, String... args) throws Exception {
    int port = freePort();
    List<Running> running = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      running.add(
          start(java(main, args), env(r, world, port), logs.resolve("rank-" + r + ".log"), r));
    }
    return await(running, timeout);
  }
}
