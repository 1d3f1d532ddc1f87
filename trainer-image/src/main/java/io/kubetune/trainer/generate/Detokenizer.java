package io.kubetune.trainer.generate;

/** Turns generated token ids into text, without special tokens. */
@FunctionalInterface
public interface Detokenizer {
  String decode(int[] ids);
}
