package io.kubetune.trainer.dist;

import java.util.Map;

/**
 * Where and as whom this process joins its job, from torchrun's environment variables, which the
 * operator sets in every trainer pod and {@code kubetune train --nproc N} sets for its ranks.
 *
 * @param masterAddr MASTER_ADDR: the host of rank 0, which runs the rendezvous store
 * @param masterPort MASTER_PORT (default 29500)
 * @param world WORLD_SIZE: processes in the job (default 1)
 * @param rank RANK: this process, 0 .. world - 1
 * @param localRank LOCAL_RANK: this process on its node (default 0)
 * @param interfaces GLOO_SOCKET_IFNAME: network interfaces for Gloo, comma-separated; empty for the
 *     one this host's name resolves to
 */
public record Rendezvous(
    String masterAddr, int masterPort, int world, int rank, int localRank, String interfaces) {

  public static final int DEFAULT_PORT = 29500;

  public Rendezvous {
    if (world < 1) {
      throw new IllegalArgumentException("WORLD_SIZE=" + world + ": must be at least 1");
    }
    if (rank < 0 || rank >= world) {
      throw new IllegalArgumentException(
          "RANK=" + rank + ": must be in 0.." + (world - 1) + " for WORLD_SIZE=" + world);
    }
    if (masterPort < 1 || masterPort > 65535) {
      throw new IllegalArgumentException("MASTER_PORT=" + masterPort + ": not a TCP port");
    }
  }

  /** A world of one: no rendezvous at all. */
  public static Rendezvous single() {
    return new Rendezvous("127.0.0.1", DEFAULT_PORT, 1, 0, 0, "");
  }

  public boolean distributed() {
    return world > 1;
  }

  /**
   * Reads the variables; a world of one when WORLD_SIZE is unset.
   *
   * @throws IllegalArgumentException naming the variable that is missing or malformed
   */
  public static Rendezvous fromEnvironment(Map<String, String> env) {
    int world = integer(env, "WORLD_SIZE", 1);
    if (world == 1) {
      return single();
    }
    String addr = env.get("MASTER_ADDR");
    if (addr == null || addr.isBlank()) {
      throw new IllegalArgumentException(
          "WORLD_SIZE=" + world + " but MASTER_ADDR is not set (the host of rank 0)");
    }
    if (env.get("RANK") == null || env.get("RANK").isBlank()) {
      throw new IllegalArgumentException("WORLD_SIZE=" + world + " but RANK is not set");
    }
    return new Rendezvous(
        addr.trim(),
        integer(env, "MASTER_PORT", DEFAULT_PORT),
        world,
        integer(env, "RANK", 0),
        integer(env, "LOCAL_RANK", 0),
        env.getOrDefault("GLOO_SOCKET_IFNAME", "").trim());
  }

  private static int integer(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "='" + value + "': not an integer", e);
    }
  }
}
