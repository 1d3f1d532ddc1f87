package io.kubetune.trainer.tokenizer;

import java.util.Arrays;

/**
 * Turns generated token ids into text pieces as they arrive, for a streaming server: the pieces
 * concatenate to {@code decode(allIds)}.
 *
 * <p>Why not decode each token alone: with byte-level BPE one character (an emoji, most CJK) can
 * span several tokens, and alone each decodes to U+FFFD; with SentencePiece a word's leading space
 * is dropped when its token is decoded alone. The method (as text-generation-inference does) keeps
 * a few tokens of context: it decodes {@code ids[prefix, end)} and {@code ids[prefix, read)} and
 * emits the difference, and holds it back while it ends in an incomplete character (U+FFFD).
 *
 * <p>One instance per generated sequence; not thread-safe.
 */
public final class StreamingDecoder {
  private static final char REPLACEMENT = '\uFFFD';

  private final Tokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private int[] ids = new int[16];
  private int size;
  private int prefixOffset;
  private int readOffset;

  public StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
  }

  /** Adds one generated token; returns the text that became final ("" when none did yet). */
  public String push(int id) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
    }
    ids[size++] = id;
    String prefixText = tokenizer.decode(ids, prefixOffset, readOffset, skipSpecialTokens);
    String newText = tokenizer.decode(ids, prefixOffset, size, skipSpecialTokens);
    if (newText.length() > prefixText.length()
        && newText.charAt(newText.length() - 1) != REPLACEMENT
        && newText.startsWith(prefixText)) {
      prefixOffset = readOffset;
      readOffset = size;
      return newText.substring(prefixText.length());
    }
    return "";
  }

  /** The text still held back at the end of generation (an incomplete character, if any). */
  public String flush() {
    String prefixText = tokenizer.decode(ids, prefixOffset, readOffset, skipSpecialTokens);
    String newText = tokenizer.decode(ids, prefixOffset, size, skipSpecialTokens);
    prefixOffset = readOffset = size;
    return newText.length() > prefixText.length() ? newText.substring(prefixText.length()) : "";
  }

  /** The ids pushed so far. */
  public int[] ids() {
    return Arrays.copyOf(ids, size);
  }
}
