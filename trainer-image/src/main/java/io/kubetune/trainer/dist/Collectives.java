package io.kubetune.trainer.dist;

import ai.djl.ndarray.NDArray;

/**
 * The collective operations data-parallel training needs, in place on CPU tensors, across the ranks
 * of one job. Every rank must call the same operations in the same order. {@code what} names the
 * data (e.g. "gradients of layer 5") for error messages.
 *
 * <p>A failure (a lost or hung peer) throws {@link CollectiveException} whose message names the
 * peer rank and the operation; the group is unusable afterwards.
 */
public interface Collectives extends AutoCloseable {
  int rank();

  int world();

  /** Nanoseconds spent in collective operations so far. */
  default long busyNanos() {
    return 0;
  }

  /** t = the sum of t over all ranks. */
  void allReduce(NDArray t, String what);

  /**
   * out = this rank's part of the sum over ranks of in: in has world * n elements, out n, and rank
   * r receives elements [r * n, (r + 1) * n).
   */
  void reduceScatter(NDArray out, NDArray in, String what);

  /** out = the ins of all ranks, concatenated in rank order (world * n elements). */
  void allGather(NDArray out, NDArray in, String what);

  /** t = root's t. */
  void broadcast(NDArray t, int root, String what);

  void barrier(String what);

  /** Rank 0: tells the others that event (e.g. "export") is done. */
  void signalDone(String event);

  /**
   * Ranks other than 0: waits, without any timeout, for rank 0's signalDone(event), as long as rank
   * 0 is alive (it may take long: an export). Fails when rank 0 is lost.
   */
  void awaitRank0(String event);

  /**
   * The end of a successful run: every rank waits for all (so that rank 0, which hosts the
   * rendezvous store, leaves last). Not called after a failure.
   */
  void finish();

  @Override
  void close();
}
