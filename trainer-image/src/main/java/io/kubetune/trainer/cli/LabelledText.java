package io.kubetune.trainer.cli;

import io.kubetune.trainer.data.EncodedSample;
import io.kubetune.trainer.tokenizer.Tokenizer;

/**
 * A sample's text with the trained tokens marked: each run of tokens with a label (trained) or
 * without one is decoded on its own (special tokens kept) and the trained runs are shown in green
 * on a terminal, or between {@code [[} and {@code ]]} otherwise.
 */
final class LabelledText {
  static final String OPEN = "[[";
  static final String CLOSE = "]]";
  private static final String GREEN = "\u001B[32m";
  private static final String RESET = "\u001B[0m";

  private LabelledText() {}

  static String render(EncodedSample sample, Tokenizer tokenizer, boolean color) {
    int[] ids = sample.inputIds();
    StringBuilder out = new StringBuilder();
    int start = 0;
    while (start < ids.length) {
      boolean trained = sample.hasLoss(start);
      int end = start;
      while (end < ids.length && sample.hasLoss(end) == trained) {
        end++;
      }
      String text = tokenizer.decode(ids, start, end, false);
      if (trained) {
        out.append(color ? GREEN : OPEN).append(text).append(color ? RESET : CLOSE);
      } else {
        out.append(text);
      }
      start = end;
    }
    return out.toString();
  }
}
