package io.kubetune.trainer.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.torch.Aten;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Generates one reply at a time with a KV cache: the prompt in one pass, then one token per step.
 * (The server batches many sequences with {@code BatchDecoder}; this is the simple path for chat,
 * evaluation prompts and tests.)
 */
public final class Generator {
  private final CausalLm model;
  private final NDManager manager;
  private final UnaryOperator<NDArray> promptEmbedder;

  public Generator(CausalLm model, NDManager manager) {
    this(model, manager, null);
  }

  /**
   * @param promptEmbedder turns the prompt's ids [1, T] into its input embeddings (a multimodal
   *     model puts image features among them); null embeds the tokens
   */
  public Generator(CausalLm model, NDManager manager, UnaryOperator<NDArray> promptEmbedder) {
    this.model = model;
    this.manager = manager;
    this.promptEmbedder = promptEmbedder;
  }

  public Generation generate(
      int[] prompt, SamplingParams params, Detokenizer detokenizer, TokenListener listener) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt has no tokens");
    }
    int context = model.config().maxPositionEmbeddings();
    if (prompt.length >= context) {
      throw new IllegalArgumentException(
          "the prompt has " + prompt.length + " tokens; the model's context is " + context);
    }
    int capacity = Math.min(context, prompt.length + params.maxNewTokens());
    Sampler sampler = new Sampler(params);
    TextAssembler text = new TextAssembler(detokenizer, params.stopStrings());
    int[] seen = Arrays.copyOf(prompt, capacity + 1);
    int count = prompt.length;
    FinishReason reason = FinishReason.LENGTH;
    int generated = 0;
    try (KvCache cache = new KvCache(manager, model.config(), 1, capacity, model.computeDtype())) {
      float[] logits = step(prompt, 0, cache);
      while (generated < params.maxNewTokens()) {
        int token = sampler.next(logits, seen, count);
        if (params.stopTokenIds().contains(token)) {
          reason = FinishReason.STOP;
          break;
        }
        seen[count++] = token;
        generated++;
        listener.onToken(token, text.add(token));
        if (text.stopped()) {
          reason = FinishReason.STOP;
          break;
        }
        if (generated == params.maxNewTokens() || count >= capacity) {
          break; // done, or the context is full: no forward pass for a token never sampled
        }
        logits = step(new int[] {token}, count - 1, cache);
      }
    }
    String tail = text.flush();
    if (!tail.isEmpty()) {
      listener.onToken(-1, tail);
    }
    return new Generation(
        Arrays.copyOfRange(seen, prompt.length, prompt.length + generated),
        text.text(),
        reason,
        prompt.length);
  }

  /** Runs tokens at positions start.. through the model; returns the last position's logits. */
  private float[] step(int[] tokens, int start, KvCache cache) {
    return Aten.noGrad(
        () -> {
          try (NDScope scope = new NDScope()) {
            long[] ids = Arrays.stream(tokens).asLongStream().toArray();
            NDArray input = manager.create(ids, new Shape(1, ids.length));
            NDArray hidden =
                start == 0 && promptEmbedder != null
                    ? model.hiddenCachedFromEmbeddings(
                        promptEmbedder.apply(input), new long[] {start}, cache, 0)
                    : model.hiddenCached(input, new long[] {start}, cache, 0);
            NDArray last = Aten.narrow(hidden, 1, tokens.length - 1, 1);
            float[] out = model.logits(last).toFloatArray();
            scope.suppressNotUsedWarning();
            return out;
          }
        });
  }
}
