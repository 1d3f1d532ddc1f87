package io.kubetune.trainer.serve.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each HTTP connection is doing, and the limits that follow from it. Jetty closes a connection
 * whose bytes stop moving for the idle timeout (between requests, while a request is read, while a
 * reply is written); this adds what Jetty lacks:
 *
 * <ul>
 *   <li>a request's head must be complete within the read timeout of its first byte, and its body
 *       within the read timeout of its head, so that trickling a byte now and then (slowloris)
 *       cannot hold a connection;
 *   <li>a request whose body has been read is not idle: its generation may run silently for longer
 *       than the idle timeout (a non-streamed reply says nothing until it is complete);
 *   <li>whether the client of a request in progress has closed its connection, which Jetty does not
 *       notice until it writes ({@link Tracked#clientGone});
 *   <li>for draining: the number of requests in progress, closing the connections that wait for a
 *       next request, and {@code Connection: close} on every response from then on.
 * </ul>
 *
 * <p>A Jetty handler (it wraps the application) and a connection listener (added to the connector).
 */
final class Connections extends Handler.Wrapper implements Connection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Connections.class);
  private static final String ATTRIBUTE = Connections.class.getName();
  private static final long SWEEP_MILLIS = 100;
  private static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * How long the 408 may take once a body is overdue before the connection is closed without it:
   * the 408 path runs through Jetty's idle timeout and the application, and when either loses the
   * race with a trickled byte nothing else would end the connection (seen twice in CI, a trickled
   * body held for 12 s).
   */
  private static final long ANSWER_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** Where a connection is in its request/response cycle. */
  enum Phase {
    /** between requests (or not yet sent one) */
    WAITING,
    /** bytes of a request head have come, the head is not complete */
    HEAD,
    /** the head is complete, the body is being read */
    BODY,
    /** the request is read: the application is answering it */
    ANSWERING
  }

  private final long readTimeoutNanos;
  private final Map<Connection, Tracked> tracked = new ConcurrentHashMap<>();
  private final Object inFlightLock = new Object();
  private int inFlight;
  private volatile boolean closing;
  private ScheduledExecutorService sweeper;

  Connections(Duration readTimeout) {
    this.readTimeoutNanos = readTimeout.toNanos();
  }

  /** The connection of a request, for {@link Tracked#clientGone}; empty outside this handler. */
  static Optional<Tracked> of(jakarta.servlet.ServletRequest request) {
    return Optional.ofNullable((Tracked) request.getAttribute(ATTRIBUTE));
  }

  @Override
  public void onOpened(Connection connection) {
    tracked.put(connection, new Tracked(connection));
  }

  @Override
  public void onClosed(Connection connection) {
    tracked.remove(connection);
  }

  @Override
  protected void doStart() throws Exception {
    sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kubetune-read-deadlines");
              t.setDaemon(true);
              return t;
            });
    sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    super.doStop();
    sweeper.shutdownNow();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Tracked t = tracked.get(request.getConnectionMetaData().getConnection());
    if (t == null) {
      return super.handle(request, response, callback);
    }
    boolean hasBody =
        request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    t.started(hasBody);
    synchronized (inFlightLock) {
      inFlight++;
    }
    request.setAttribute(ATTRIBUTE, t);
    // stalled while its body is read: a failure (408); silent while answered: not idle
    request.addIdleTimeoutListener(timeout -> t.phase() == Phase.BODY);
    Callback done =
        new Callback.Nested(callback) {
          @Override
          public void succeeded() {
            finished(t);
            super.succeeded();
          }

          @Override
          public void failed(Throwable x) {
            finished(t);
            super.failed(x);
          }
        };
    boolean handled;
    try {
      handled =
          super.handle(new BodyWatch(request, t), new CloseWhenAsked(request, response, t), done);
    } catch (Throwable e) {
      finished(t);
      throw e;
    }
    if (!handled) {
      finished(t);
    }
    return handled;
  }

  private void finished(Tracked t) {
    t.finished();
    synchronized (inFlightLock) {
      inFlight--;
      inFlightLock.notifyAll();
    }
  }

  /**
   * From now on every response asks the client to close its connection, and connections waiting for
   * a next request are closed (their clients reconnect, to another replica).
   */
  void closeAll() {
    closing = true;
    for (Tracked t : tracked.values()) {
      if (t.phase() == Phase.WAITING) {
        t.connection.getEndPoint().close();
      }
    }
  }

  /** Waits until no request is in progress; false when the timeout passed first. */
  boolean awaitNoRequests(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (inFlightLock) {
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(inFlightLock, left);
      }
      return true;
    }
  }

  int requestsInProgress() {
    synchronized (inFlightLock) {
      return inFlight;
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Tracked t : tracked.values()) {
      try {
        if (closing) {
          t.closeOnceIdle(now);
        }
        t.enforceReadDeadline(now);
      } catch (RuntimeException e) {
        LOG.warn("checking the read deadline of {} failed", t.connection, e);
      }
    }
  }

  /** One connection. */
  final class Tracked {
    private final Connection connection;
    private Phase phase = Phase.WAITING;
    private long phaseStart = System.nanoTime();
    private long bytesInAtRest;
    private boolean bodyOverdue;
    private boolean closeAfterResponse;

    private Tracked(Connection connection) {
      this.connection = connection;
    }

    synchronized Phase phase() {
      return phase;
    }

    private synchronized void started(boolean hasBody) {
      phase = hasBody ? Phase.BODY : Phase.ANSWERING;
      phaseStart = System.nanoTime();
      bodyOverdue = false;
      closeAfterResponse = false;
    }

    private synchronized void bodyRead() {
      if (phase == Phase.BODY) {
        phase = Phase.ANSWERING;
      }
    }

    private synchronized void finished() {
      phase = Phase.WAITING;
      phaseStart = System.nanoTime();
      bytesInAtRest = connection.getBytesIn();
    }

    /** Whether the read deadline passed for this request's body. */
    synchronized boolean bodyOverdue() {
      return bodyOverdue;
    }

    private synchronized boolean closeRequested() {
      return closing || closeAfterResponse;
    }

    /**
     * While draining, closes a connection whose response has ended. A stream whose head went out
     * before the drain began could not say {@code Connection: close}; left open, its client's next
     * request would meet a 503 or a connection closed under it when the server exits. Closed here
     * instead, the client reconnects, to another replica. The short wait lets the response's last
     * bytes leave first.
     */
    private void closeOnceIdle(long now) {
      synchronized (this) {
        if (phase != Phase.WAITING || now - phaseStart < SETTLE_NANOS) {
          return;
        }
      }
      connection.getEndPoint().close();
    }

    private void enforceReadDeadline(long now) {
      EndPoint endPoint = connection.getEndPoint();
      boolean close;
      synchronized (this) {
        if (phase == Phase.WAITING && connection.getBytesIn() > bytesInAtRest) {
          phase = Phase.HEAD;
          phaseStart = now;
        }
        long late = now - phaseStart - readTimeoutNanos;
        if (late <= 0 || phase == Phase.WAITING || (phase == Phase.ANSWERING && !bodyOverdue)) {
          return;
        }
        if (bodyOverdue) {
          // the 408 had its grace; whatever the request's phase now, the connection goes
          close = late > ANSWER_GRACE_NANOS;
          if (!close) {
            return;
          }
          LOG.debug("no 408 within the grace after the read timeout: closing {}", endPoint);
        } else if (phase == Phase.BODY) {
          bodyOverdue = true;
          close = false;
        } else {
          close = true;
          LOG.debug("request head not complete within the read timeout: closing {}", endPoint);
        }
      }
      if (close) {
        endPoint.close();
      } else {
        // Jetty's own idle timeout, made immediate, fails the blocked read (the handler answers
        // 408) and closes the connection once the answer is out
        endPoint.setIdleTimeout(1);
      }
    }

    /**
     * Whether the client closed its connection while its request is answered. Nothing is read while
     * the application answers, so the connection is read here: end of stream means the client is
     * gone (as nginx decides it). Bytes of a next, pipelined request cannot be put back: the
     * response then closes the connection and the client sends that request again.
     */
    boolean clientGone() {
      EndPoint endPoint = connection.getEndPoint();
      synchronized (this) {
        if (phase != Phase.ANSWERING || closeAfterResponse) {
          return false;
        }
        if (!endPoint.isOpen()) {
          return true;
        }
        ByteBuffer probe = BufferUtil.allocate(64);
        try {
          int filled = endPoint.fill(probe);
          if (filled > 0) {
            closeAfterResponse = true;
          }
          return filled < 0;
        } catch (IOException e) {
          return true;
        }
      }
    }
  }

  /** Tells the connection when the request's body has been read to its end. */
  private static final class BodyWatch extends Request.Wrapper {
    private final Tracked tracked;

    BodyWatch(Request request, Tracked tracked) {
      super(request);
      this.tracked = tracked;
    }

    @Override
    public Content.Chunk read() {
      Content.Chunk chunk = super.read();
      // a failed read (the read timeout's among them) ends the body without reading it
      if (chunk != null && chunk.isLast() && !Content.Chunk.isFailure(chunk)) {
        tracked.bodyRead();
      }
      return chunk;
    }
  }

  /** Adds {@code Connection: close} to a response that starts when the connection must close. */
  private static final class CloseWhenAsked extends Response.Wrapper {
    private final Tracked tracked;

    CloseWhenAsked(Request request, Response response, Tracked tracked) {
      super(request, response);
      this.tracked = tracked;
    }

    @Override
    public void write(boolean last, ByteBuffer content, Callback callback) {
      if (!isCommitted() && tracked.closeRequested()) {
        getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      super.write(last, content, callback);
    }
  }
}
