package io.kubetune.trainer.serve.http;

import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.serve.GenerationCallback;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands a reply from the engine's thread to the request's thread: the engine's callbacks only
 * enqueue, the request thread takes events and does the (possibly slow) network writes.
 */
final class ReplyStream implements GenerationCallback {
  /** What the engine said. */
  sealed interface Event permits Text, Finished, Failed {}

  record Text(String text) implements Event {}

  record Finished(Generation generation) implements Event {}

  record Failed(Throwable error) implements Event {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

  @Override
  public void onText(String text) {
    events.add(new Text(text));
  }

  @Override
  public void onFinish(Generation generation) {
    events.add(new Finished(generation));
  }

  @Override
  public void onError(Throwable error) {
    events.add(new Failed(error));
  }

  /** The next event, or null when none came within the timeout. */
  Event next(Duration timeout) throws InterruptedException {
    return events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
