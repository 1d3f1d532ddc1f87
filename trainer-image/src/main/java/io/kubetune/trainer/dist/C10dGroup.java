package io.kubetune.trainer.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A c10d process group (Gloo for CPU tensors) joined through the TCPStore at MASTER_ADDR:
 * MASTER_PORT. Every operation is bounded by the timeout; a failure is turned into a {@link
 * CollectiveException} that names the operation and, from the peers' heartbeats, the peer to blame.
 */
public final class C10dGroup implements Collectives {
  private static final Logger LOG = LoggerFactory.getLogger(C10dGroup.class);
  private static final int SUM = 0;

  private final Rendezvous rendezvous;
  private final TcpStore store;
  private final TcpStore monitorStore;
  private final PeerMonitor monitor;
  private final long group;
  private final Duration timeout;
  private long sequence;
  private long busyNanos;
  private boolean broken;

  private C10dGroup(
      Rendezvous rendezvous,
      TcpStore store,
      TcpStore monitorStore,
      long group,
      Duration timeout,
      Runnable onStuck) {
    this.rendezvous = rendezvous;
    this.store = store;
    this.monitorStore = monitorStore;
    this.group = group;
    this.timeout = timeout;
    this.monitor =
        new PeerMonitor(
            monitorStore,
            rendezvous.rank(),
            rendezvous.world(),
            timeout.plus(Duration.ofSeconds(10)),
            onStuck);
  }

  /**
   * Meets the other ranks (rank 0 starts the store and waits for all) and creates the group.
   *
   * @param timeout the bound of every collective operation
   * @param joinTimeout how long to wait for every rank to arrive
   * @param onStuck called (from the watchdog thread) if an operation outlives the timeout by far
   * @throws CollectiveException when the others do not arrive in time
   */
  public static C10dGroup join(
      Rendezvous r, Duration timeout, Duration joinTimeout, Runnable onStuck) {
    long started = System.nanoTime();
    TcpStore store =
        TcpStore.open(r.masterAddr(), r.masterPort(), r.rank() == 0, r.world(), joinTimeout, true);
    TcpStore monitorStore = null;
    try {
      store.setTimeout(joinTimeout);
      long handle =
          C10dNative.ktd_group_new(
              store.handle(),
              "kubetune/pg/",
              "gloo",
              r.rank(),
              r.world(),
              timeout.toMillis(),
              r.interfaces());
      if (handle == 0) {
        throw new CollectiveException(
            "rank "
                + r.rank()
                + ": creating the Gloo process group of "
                + r.world()
                + " ranks failed: "
                + C10dNative.ktd_last_error());
      }
      monitorStore =
          TcpStore.open(r.masterAddr(), r.masterPort(), false, r.world(), joinTimeout, false);
      C10dGroup g = new C10dGroup(r, store, monitorStore, handle, timeout, onStuck);
      LOG.info(
          "rank {} of {} joined the group at {} in {} ms (Gloo{}, timeout {} s)",
          r.rank(),
          r.world(),
          store.address(),
          (System.nanoTime() - started) / 1_000_000,
          r.interfaces().isEmpty() ? "" : " on " + r.interfaces(),
          timeout.toSeconds());
      return g;
    } catch (RuntimeException e) {
      if (monitorStore != null) {
        monitorStore.close();
      }
      store.close();
      throw e;
    }
  }

  @Override
  public int rank() {
    return rendezvous.rank();
  }

  @Override
  public int world() {
    return rendezvous.world();
  }

  public Duration timeout() {
    return timeout;
  }

  /** The rendezvous store (for small coordination beyond collectives, e.g. checkpoints). */
  public TcpStore store() {
    return store;
  }

  @Override
  public long busyNanos() {
    return busyNanos;
  }

  @Override
  public void allReduce(NDArray t, String what) {
    run("all_reduce", what, () -> C10dNative.ktd_all_reduce(group, h(t), SUM));
  }

  @Override
  public void reduceScatter(NDArray out, NDArray in, String what) {
    run("reduce_scatter", what, () -> C10dNative.ktd_reduce_scatter(group, h(out), h(in), SUM));
  }

  @Override
  public void allGather(NDArray out, NDArray in, String what) {
    run("all_gather", what, () -> C10dNative.ktd_all_gather(group, h(out), h(in)));
  }

  @Override
  public void broadcast(NDArray t, int root, String what) {
    run("broadcast", what, () -> C10dNative.ktd_broadcast(group, h(t), root));
  }

  @Override
  public void barrier(String what) {
    run("barrier", what, () -> C10dNative.ktd_barrier(group));
  }

  private void run(String op, String what, IntSupplier call) {
    if (broken) {
      throw new CollectiveException(op + " (" + what + "): the process group failed earlier");
    }
    long seq = monitor.entering(++sequence, op, what);
    long started = System.nanoTime();
    int rc = call.getAsInt();
    busyNanos += System.nanoTime() - started;
    monitor.left();
    if (rc != 0) {
      broken = true;
      String error = C10dNative.ktd_last_error();
      String blame = monitor.blame(seq);
      throw new CollectiveException(
          "rank "
              + rank()
              + ": "
              + op
              + " #"
              + seq
              + " ("
              + what
              + ") failed: "
              + blame
              + "; c10d: "
              + error);
    }
  }

  @Override
  public void signalDone(String event) {
    monitor.entering(sequence, "signal", event);
    store.set("kubetune/done/" + event, "1");
    monitor.left();
  }

  @Override
  public void awaitRank0(String event) {
    monitor.entering(sequence, "await", event + " on rank 0");
    try {
      while (!monitor.rank0Done(event)) {
        try {
          Thread.sleep(PeerMonitor.BEAT.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CollectiveException("interrupted while waiting for rank 0's " + event);
        }
      }
    } finally {
      monitor.left();
    }
  }

  @Override
  public void finish() {
    barrier("the end of the run");
    monitor.close();
    if (rank() == 0) {
      // the others' last store calls are done once they have arrived here too
      store.add("kubetune/finished", 1);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (monitorStore.add("kubetune/finished", 0) < world() && System.nanoTime() < deadline) {
        sleepQuietly(50);
      }
    } else {
      store.add("kubetune/finished", 1);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Describes a stuck operation for the watchdog (blaming peers takes a few seconds). */
  public String diagnoseStuck() {
    return "rank "
        + rank()
        + ": operation #"
        + sequence
        + " outlived the timeout of "
        + timeout.toSeconds()
        + " s: "
        + monitor.blame(sequence);
  }

  private static long h(NDArray t) {
    return ((PtNDArray) t).getHandle();
  }

  @Override
  public void close() {
    monitor.close(); // idempotent
    monitorStore.close();
    if (!broken) {
      // a failed group may have threads blocked on dead sockets: the process is exiting anyway
      C10dNative.ktd_group_free(group);
      store.close();
    }
  }
}
