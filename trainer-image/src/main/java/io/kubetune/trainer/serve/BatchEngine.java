package io.kubetune.trainer.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.generate.Detokenizer;
import io.kubetune.trainer.generate.FinishReason;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.torch.Aten;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching: one thread owns the model and a KV cache of maxBatch slots. Between decode
 * steps it admits waiting requests (prefilling each into a free slot), then advances every active
 * sequence by one token in a single batched forward pass. A finished or cancelled sequence leaves
 * at once and the last active slot moves into its place, so active sequences always occupy slots
 * 0..n-1 and a step reads them as one view of the cache.
 */
public final class BatchEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchEngine.class);

  /**
   * @param maxBatch sequences decoded together (cache slots)
   * @param maxQueue requests waiting beyond those; more are refused (the server answers 429)
   * @param contextLength tokens per sequence, prompt included
   */
  public record Config(int maxBatch, int maxQueue, int contextLength) {}

  private final CausalLm model;
  private final NDManager manager;
  private final Detokenizer detokenizer;
  private final Config config;
  private final EngineMetrics metrics;
  private final BlockingQueue<GenerationRequest> queue;
  private final List<Sequence> active = new ArrayList<>();
  private final Thread worker;
  private volatile boolean running = true;

  public BatchEngine(
      CausalLm model,
      NDManager manager,
      Detokenizer detokenizer,
      Config config,
      EngineMetrics metrics) {
    this.model = model;
    this.manager = manager;
    this.detokenizer = detokenizer;
    this.config = config;
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(Math.max(1, config.maxQueue()));
    this.worker = new Thread(this::loop, "kubetune-batch-engine");
    this.worker.setDaemon(true);
  }

  public Config config() {
    return config;
  }

  public BatchEngine start() {
    worker.start();
    return this;
  }

  /**
   * Queues a request; false when the queue is full (try again later).
   *
   * @throws StoppedException when the engine has been closed
   */
  public boolean submit(GenerationRequest request) {
    if (request.promptLength() >= config.contextLength()) {
      throw new IllegalArgumentException(
          "the prompt has "
              + request.promptLength()
              + " tokens; the context holds "
              + config.contextLength());
    }
    if (!running) {
      throw new StoppedException();
    }
    boolean accepted = queue.offer(request);
    metrics.queueDepth(queue.size());
    // closed meanwhile: take it back unless the worker already failed it on its way out
    if (accepted && !running && queue.remove(request)) {
      throw new StoppedException();
    }
    return accepted;
  }

  public int queued() {
    return queue.size();
  }

  private void loop() {
    Aten.noGrad(
        () -> {
          try (KvCache cache =
              new KvCache(
                  manager,
                  model.config(),
                  config.maxBatch(),
                  config.contextLength(),
                  model.computeDtype())) {
            while (running) {
              try {
                admit(cache);
                if (active.isEmpty()) {
                  continue;
                }
                decode(cache);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
              } catch (RuntimeException e) {
                LOG.error("generation step failed; failing {} active requests", active.size(), e);
                for (Sequence s : active) {
                  s.request.callback().onError(e);
                }
                active.clear();
              }
            }
          }
          StoppedException shutdown = new StoppedException();
          for (Sequence s : active) {
            s.request.callback().onError(shutdown);
          }
          active.clear();
          failQueued(shutdown);
          return null;
        });
  }

  /** Fills free slots from the queue; waits for work when nothing is active. */
  private void admit(KvCache cache) throws InterruptedException {
    while (active.size() < config.maxBatch()) {
      GenerationRequest next =
          active.isEmpty() ? queue.poll(200, TimeUnit.MILLISECONDS) : queue.poll();
      metrics.queueDepth(queue.size());
      if (next == null) {
        return;
      }
      if (next.isCancelled()) {
        continue;
      }
      Sequence s = new Sequence(next, detokenizer, config.contextLength());
      int slot = active.size();
      float[] logits;
      try {
        logits = prefill(next, slot, cache);
      } catch (RuntimeException e) {
        // only this request is at fault (the active ones are untouched): fail it alone
        LOG.error("prefill failed; failing that request", e);
        next.callback().onError(e);
        continue;
      }
      s.position = next.promptLength();
      active.add(s);
      if (accept(s, logits) != null) {
        remove(active.size() - 1, cache);
      }
      metrics.batchSize(active.size());
    }
  }

  private float[] prefill(GenerationRequest request, int slot, KvCache cache) {
    try (NDScope scope = new NDScope()) {
      long[] ids = Arrays.stream(request.promptIdsUnsafe()).asLongStream().toArray();
      NDArray idArray = manager.create(ids, new Shape(1, ids.length));
      var embedder = request.promptEmbedderOrNull();
      NDArray hidden =
          embedder == null
              ? model.hiddenCached(idArray, new long[] {0}, cache, slot)
              : model.hiddenCachedFromEmbeddings(
                  embedder.apply(idArray), new long[] {0}, cache, slot);
      float[] logits = model.logits(Aten.narrow(hidden, 1, ids.length - 1, 1)).toFloatArray();
      scope.suppressNotUsedWarning();
      return logits;
    }
  }

  /** One token for every active sequence, in one batched pass. */
  private void decode(KvCache cache) {
    int batch = active.size();
    long[] tokens = new long[batch];
    long[] starts = new long[batch];
    for (int b = 0; b < batch; b++) {
      tokens[b] = active.get(b).lastToken;
      starts[b] = active.get(b).position;
    }
    float[] all;
    try (NDScope scope = new NDScope()) {
      NDArray hidden =
          model.hiddenCached(manager.create(tokens, new Shape(batch, 1)), starts, cache, 0);
      all = model.logits(hidden).toFloatArray();
      scope.suppressNotUsedWarning();
    }
    int vocab = all.length / batch;
    List<Integer> finished = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      Sequence s = active.get(b);
      s.position++;
      if (accept(s, Arrays.copyOfRange(all, b * vocab, (b + 1) * vocab)) != null) {
        finished.add(b);
      }
    }
    for (int i = finished.size() - 1; i >= 0; i--) {
      remove(finished.get(i), cache);
    }
    metrics.batchSize(active.size());
  }

  /**
   * Samples a sequence's next token from its logits and reports it; returns why the sequence ended,
   * or null when it goes on.
   */
  private FinishReason accept(Sequence s, float[] logits) {
    GenerationRequest r = s.request;
    if (r.isCancelled()) {
      return FinishReason.STOP;
    }
    int token = s.sampler.next(logits, s.seen, s.count);
    long now = System.nanoTime();
    if (!s.firstTokenSent) {
      metrics.timeToFirstToken((now - r.submittedNanos()) / 1e9);
      s.firstTokenSent = true;
    } else {
      metrics.interTokenLatency((now - s.lastTokenNanos) / 1e9);
    }
    s.lastTokenNanos = now;
    FinishReason reason = null;
    if (r.params().stopTokenIds().contains(token)) {
      reason = FinishReason.STOP;
    } else {
      s.seen[s.count++] = token;
      s.generated++;
      s.lastToken = token;
      String text = s.text.add(token);
      if (!text.isEmpty()) {
        r.callback().onText(text);
      }
      if (s.text.stopped()) {
        reason = FinishReason.STOP;
      } else if (s.generated >= r.params().maxNewTokens()
          || s.position + 1 >= config.contextLength()) {
        reason = FinishReason.LENGTH;
      }
    }
    if (reason != null) {
      String tail = s.text.flush();
      if (!tail.isEmpty()) {
        r.callback().onText(tail);
      }
      metrics.tokens(r.promptLength(), s.generated);
      r.callback().onFinish(s.result(reason));
    }
    return reason;
  }

  /** Frees the slot of active sequence i by moving the last active sequence into it. */
  private void remove(int i, KvCache cache) {
    int last = active.size() - 1;
    if (i != last) {
      cache.moveSlot(last, i);
      active.set(i, active.get(last));
    }
    active.remove(last);
  }

  private void failQueued(Throwable error) {
    GenerationRequest r;
    while ((r = queue.poll()) != null) {
      r.callback().onError(error);
    }
  }

  /** What the requests still active or queued get when the engine is closed. */
  public static final class StoppedException extends IllegalStateException {
    StoppedException() {
      super("the engine is shutting down: this generation was stopped before its end");
    }
  }

  /**
   * Stops generating: requests still active or queued get {@link StoppedException}. Safe to call
   * more than once.
   */
  @Override
  public void close() {
    running = false;
    worker.interrupt();
    try {
      worker.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
