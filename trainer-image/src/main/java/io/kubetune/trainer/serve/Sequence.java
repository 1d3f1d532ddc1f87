package io.kubetune.trainer.serve;

import io.kubetune.trainer.generate.Detokenizer;
import io.kubetune.trainer.generate.FinishReason;
import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.Sampler;
import io.kubetune.trainer.generate.TextAssembler;
import java.util.Arrays;

/** A request being generated: its cache slot, position, sampler and text so far. */
final class Sequence {
  final GenerationRequest request;
  final Sampler sampler;
  final TextAssembler text;
  final int[] seen;
  int count;
  int generated;

  /** Where the next token's key and value go in the cache (= tokens cached so far). */
  int position;

  int lastToken;
  long lastTokenNanos;
  boolean firstTokenSent;

  Sequence(GenerationRequest request, Detokenizer detokenizer, int capacity) {
    this.request = request;
    this.sampler = new Sampler(request.params());
    this.text = new TextAssembler(detokenizer, request.params().stopStrings());
    this.seen = Arrays.copyOf(request.promptIdsUnsafe(), capacity + 1);
    this.count = request.promptLength();
  }

  Generation result(FinishReason reason) {
    return new Generation(
        Arrays.copyOfRange(seen, request.promptLength(), request.promptLength() + generated),
        text.text(),
        reason,
        request.promptLength());
  }
}
