package io.kubetune.trainer.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.generate.FinishReason;
import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.testing.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Continuous batching must not change what each request gets. */
class BatchEngineTest {
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  private LoadedModel loaded;

  @BeforeEach
  void load() throws Exception {
    loaded = ModelLoader.load(manager, Fixtures.model("llama"), ModelLoader.Options.fp32());
  }

  @AfterEach
  void close() {
    loaded.close();
    manager.close();
  }

  /** Collects a reply. */
  static final class Reply implements GenerationCallback {
    final StringBuilder text = new StringBuilder();
    final CompletableFuture<Generation> done = new CompletableFuture<>();

    @Override
    public void onText(String t) {
      text.append(t);
    }

    @Override
    public void onFinish(Generation g) {
      done.complete(g);
    }

    @Override
    public void onError(Throwable e) {
      done.completeExceptionally(e);
    }
  }

  private static String asText(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.append('[').append(id).append(']');
    }
    return sb.toString();
  }

  @Test
  void requestsJoiningAndLeavingTheBatchGetWhatTheyWouldAlone() throws Exception {
    int[][] prompts = {
      {994, 291, 963, 805, 432},
      {994, 12, 13},
      {994, 700, 701, 702, 703, 704, 705, 706},
      {994, 5},
      {994, 400, 401},
      {994, 88, 89, 90},
      {994, 250, 251}
    };
    int[] lengths = {12, 3, 20, 7, 1, 15, 9};
    List<int[]> expected = new ArrayList<>();
    Generator alone = new Generator(loaded.model(), manager);
    for (int i = 0; i < prompts.length; i++) {
      expected.add(
          alone
              .generate(
                  prompts[i],
                  SamplingParams.greedy(lengths[i], Set.of()),
                  BatchEngineTest::asText,
                  TokenListener.NONE)
              .tokenIds());
    }
    List<Reply> replies = new ArrayList<>();
    try (BatchEngine engine =
        new BatchEngine(
                loaded.model(),
                manager,
                BatchEngineTest::asText,
                new BatchEngine.Config(3, 16, 64),
                EngineMetrics.NONE)
            .start()) {
      for (int i = 0; i < prompts.length; i++) {
        Reply r = new Reply();
        replies.add(r);
        assertThat(
                engine.submit(
                    new GenerationRequest(
                        prompts[i], SamplingParams.greedy(lengths[i], Set.of()), r)))
            .isTrue();
      }
      for (int i = 0; i < prompts.length; i++) {
        Generation g = replies.get(i).done.get(60, TimeUnit.SECONDS);
        assertThat(g.tokenIds()).as("request %d", i).containsExactly(expected.get(i));
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(replies.get(i).text.toString()).isEqualTo(asText(expected.get(i)));
      }
    }
  }

  @Test
  void aFullQueueRefusesAndACancelledRequestFreesItsSlot() throws Exception {
    try (BatchEngine engine =
        new BatchEngine(
                loaded.model(),
                manager,
                BatchEngineTest::asText,
                new BatchEngine.Config(1, 1, 200),
                EngineMetrics.NONE)
            .start()) {
      Reply slow = new Reply();
      GenerationRequest long1 =
          new GenerationRequest(new int[] {994, 1, 2}, SamplingParams.greedy(150, Set.of()), slow);
      assertThat(engine.submit(long1)).isTrue();
      // wait until it is being generated (it left the queue)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (engine.queued() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Reply waiting = new Reply();
      assertThat(
              engine.submit(
                  new GenerationRequest(
                      new int[] {994, 3}, SamplingParams.greedy(2, Set.of()), waiting)))
          .isTrue();
      assertThat(
              engine.submit(
                  new GenerationRequest(
                      new int[] {994, 4}, SamplingParams.greedy(2, Set.of()), new Reply())))
          .as("queue of 1 is full")
          .isFalse();
      long1.cancel();
      Generation next = waiting.done.get(30, TimeUnit.SECONDS);
      assertThat(next.tokenIds()).hasSize(2);
      assertThat(slow.done).isNotDone();
    }
  }

  @Test
  void stopTokensEndAReplyAndAreNotPartOfIt() throws Exception {
    int[] prompt =
        Arrays.stream(
                Fixtures.longs(
                    Fixtures.json(Fixtures.model("llama").resolve("reference/reference.json"))
                        .get("prompts")
                        .get(0)
                        .get("input_ids")))
            .mapToInt(l -> (int) l)
            .toArray();
    int third =
        (int)
            Fixtures.longs(
                Fixtures.json(Fixtures.model("llama").resolve("reference/reference.json"))
                    .get("prompts")
                    .get(0)
                    .get("greedy")
                    .get("ids"))[2];
    try (BatchEngine engine =
        new BatchEngine(
                loaded.model(),
                manager,
                BatchEngineTest::asText,
                new BatchEngine.Config(2, 4, 128),
                EngineMetrics.NONE)
            .start()) {
      Reply r = new Reply();
      engine.submit(new GenerationRequest(prompt, SamplingParams.greedy(32, Set.of(third)), r));
      Generation g = r.done.get(30, TimeUnit.SECONDS);
      assertThat(g.tokenIds()).hasSize(2);
      assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
    }
  }

  @Test
  void aPromptThatFailsInPrefillFailsAloneAndTheEngineGoesOn() throws Exception {
    try (BatchEngine engine =
        new BatchEngine(
                loaded.model(),
                manager,
                BatchEngineTest::asText,
                new BatchEngine.Config(2, 4, 64),
                EngineMetrics.NONE)
            .start()) {
      Reply running = new Reply();
      engine.submit(
          new GenerationRequest(
              new int[] {994, 1, 2}, SamplingParams.greedy(40, Set.of()), running));
      Reply bad = new Reply();
      // a token id beyond the embedding table fails the prefill
      engine.submit(
          new GenerationRequest(
              new int[] {994, 1_000_000}, SamplingParams.greedy(4, Set.of()), bad));
      assertThat(bad.done)
          .failsWithin(30, TimeUnit.SECONDS)
          .withThrowableThat()
          .isInstanceOf(java.util.concurrent.ExecutionException.class);
      assertThat(running.done.get(30, TimeUnit.SECONDS).tokenIds()).hasSize(40);
      Reply after = new Reply();
      engine.submit(
          new GenerationRequest(new int[] {994, 3}, SamplingParams.greedy(3, Set.of()), after));
      assertThat(after.done.get(30, TimeUnit.SECONDS).tokenIds()).hasSize(3);
    }
  }

  @Test
  void closingTheEngineFailsWhatIsStillGenerating() throws Exception {
    Reply running = new Reply();
    BatchEngine engine =
        new BatchEngine(
                loaded.model(),
                manager,
                BatchEngineTest::asText,
                new BatchEngine.Config(1, 4, 256),
                EngineMetrics.NONE)
            .start();
    engine.submit(
        new GenerationRequest(
            new int[] {994, 1, 2}, SamplingParams.greedy(250, Set.of()), running));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (running.text.length() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    engine.close();
    assertThat(running.done)
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableThat()
        .withMessageContaining("shutting down");
  }
}
