package io.kubetune.trainer.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells which peer to blame when a collective fails. Every rank publishes, once a second, a
 * heartbeat counter and the collective it is in (its sequence number, name and data) under {@code
 * kubetune/rank/<r>} in the rendezvous store. After a failure, a rank reads every peer's entry
 * twice, a few heartbeats apart: a peer whose counter did not move is lost (dead or stopped); a
 * live peer behind in the sequence has not joined the operation (it hangs elsewhere); when the
 * store itself is gone, rank 0, which hosts it, is lost.
 *
 * <p>It is also the watchdog: an operation still running well past the group's timeout (which c10d
 * should have enforced) is reported through onStuck, so a rank never hangs.
 */
final class PeerMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerMonitor.class);
  static final Duration BEAT = Duration.ofSeconds(1);
  private static final String PREFIX = "kubetune/rank/";
  private static final String FAILED = "kubetune/failed/";

  /** A heartbeat counter that does not move for this long means its rank is gone. */
  static final Duration SILENCE = BEAT.multipliedBy(2);

  /** How long rank 0 keeps the store up for peers still diagnosing a failure. */
  static final Duration LINGER = Duration.ofSeconds(3);

  /** What this rank is doing, as its heartbeat publishes it. */
  private record Current(long seq, String op, String what, long sinceNanos) {}

  private final TcpStore store;
  private final int rank;
  private final int world;
  private final Duration stuckAfter;
  private final Thread thread;
  private final Runnable onStuck;
  private volatile Current current = new Current(0, "start", "", System.nanoTime());
  private volatile boolean inOperation;
  private volatile boolean running = true;
  private long beats;
  private String rank0Beat;
  private long rank0BeatSeen = System.nanoTime();

  PeerMonitor(TcpStore store, int rank, int world, Duration stuckAfter, Runnable onStuck) {
    this.store = store;
    this.rank = rank;
    this.world = world;
    this.stuckAfter = stuckAfter;
    this.onStuck = onStuck;
    store.setTimeout(Duration.ofSeconds(2));
    publish();
    this.thread = new Thread(this::beat, "kubetune-heartbeat");
    thread.setDaemon(true);
    thread.start();
  }

  /** Marks the start of operation number seq; returns seq. */
  long entering(long seq, String op, String what) {
    current = new Current(seq, op, what, System.nanoTime());
    inOperation = true;
    return seq;
  }

  void left() {
    inOperation = false;
  }

  private void beat() {
    while (running) {
      try {
        Thread.sleep(BEAT.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      Current c = current;
      if (inOperation && System.nanoTime() - c.sinceNanos() > stuckAfter.toNanos()) {
        onStuck.run();
        return;
      }
      publish();
    }
  }

  private synchronized void publish() {
    Current c = current;
    try {
      store.set(PREFIX + rank, (++beats) + " " + c.seq() + " " + c.op() + " " + c.what());
    } catch (CollectiveException e) {
      LOG.debug("heartbeat: {}", e.getMessage());
    }
  }

  /**
   * Why operation seq failed, as far as the peers' heartbeats tell; takes two heartbeats. The
   * heartbeat goes on meanwhile (a peer diagnosing at the same time must not take this rank for
   * lost). Then the finding is published, and rank 0, whose process hosts the store, stays until
   * the live peers have published theirs (at most a few seconds), so that they can read the store.
   *
   * @return e.g. "rank 1 was lost (no heartbeat for 2.0 s; last seen in all_reduce #41)"
   */
  String blame(long seq) {
    List<Optional<String[]>> first = readAll();
    if (first == null) {
      return storeLost();
    }
    sleep(SILENCE);
    List<Optional<String[]>> second = readAll();
    if (second == null) {
      return storeLost();
    }
    List<String> findings = new ArrayList<>();
    List<Integer> alive = new ArrayList<>();
    for (int peer = 0; peer < world; peer++) {
      if (peer == rank) {
        continue;
      }
      Optional<String[]> before = first.get(peer);
      Optional<String[]> after = second.get(peer);
      if (after.isEmpty()) {
        findings.add("rank " + peer + " never reported");
      } else if (before.isPresent() && before.get()[0].equals(after.get()[0])) {
        findings.add(
            "rank "
                + peer
                + " was lost (no heartbeat for "
                + SILENCE.toMillis() / 1000.0
                + " s; last seen in "
                + describe(after.get())
                + ")");
      } else {
        alive.add(peer);
        if (Long.parseLong(after.get()[1]) < seq) {
          findings.add(
              "rank "
                  + peer
                  + " is alive but has not joined operation #"
                  + seq
                  + " (it is in "
                  + describe(after.get())
                  + ")");
        }
      }
    }
    String finding =
        findings.isEmpty()
            ? "no peer looks lost or behind (a network fault?)"
            : String.join("; ", findings);
    publishFailure(finding, alive);
    return finding;
  }

  private void publishFailure(String finding, List<Integer> alive) {
    try {
      synchronized (this) {
        store.set(FAILED + rank, finding);
      }
      if (rank != 0) {
        return;
      }
      long deadline = System.nanoTime() + LINGER.toNanos();
      for (int peer : alive) {
        while (System.nanoTime() < deadline && !hasFailed(peer)) {
          sleep(Duration.ofMillis(100));
        }
      }
    } catch (CollectiveException e) {
      LOG.debug("publishing the failure: {}", e.getMessage());
    }
  }

  /**
   * Whether rank 0 has signalled event; throws when rank 0 is lost (its heartbeat stopped for
   * SILENCE, or the store it hosts is gone).
   */
  boolean rank0Done(String event) {
    String[] seen;
    synchronized (this) {
      try {
        if (store.tryGet("kubetune/done/" + event).isPresent()) {
          return true;
        }
        seen = store.tryGet(PREFIX + 0).map(v -> v.split(" ", 4)).orElse(null);
      } catch (CollectiveException e) {
        throw new CollectiveException(
            "rank " + rank + ": waiting for rank 0's " + event + ": " + storeLost(), e);
      }
    }
    long now = System.nanoTime();
    if (seen == null || !seen[0].equals(rank0Beat)) {
      rank0Beat = seen == null ? null : seen[0];
      rank0BeatSeen = now;
    } else if (now - rank0BeatSeen > SILENCE.multipliedBy(2).toNanos()) {
      throw new CollectiveException(
          "rank "
              + rank
              + ": waiting for rank 0's "
              + event
              + ": rank 0 was lost (no heartbeat for "
              + SILENCE.multipliedBy(2).toSeconds()
              + " s; last seen in "
              + describe(seen)
              + ")");
    }
    return false;
  }

  private synchronized boolean hasFailed(int peer) {
    return store.tryGet(FAILED + peer).isPresent();
  }

  private String storeLost() {
    return "rank 0 was lost (the rendezvous store it hosts at "
        + store.address()
        + " does not answer)";
  }

  private static String describe(String[] entry) {
    return entry[2] + " #" + entry[1] + (entry.length > 3 ? " (" + entry[3] + ")" : "");
  }

  /** Every rank's entry [beat, seq, op, what], or null when the store does not answer. */
  private synchronized List<Optional<String[]>> readAll() {
    List<Optional<String[]>> out = new ArrayList<>();
    try {
      for (int peer = 0; peer < world; peer++) {
        out.add(store.tryGet(PREFIX + peer).map(v -> v.split(" ", 4)));
      }
      return out;
    } catch (CollectiveException e) {
      return null;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      // the store client is closed next: the heartbeat must be out of it
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
