package io.kubetune.trainer.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the reply text token by token for streaming: hands out only text that is final, holding
 * back an incomplete UTF-8 character (decoded as U+FFFD) and any tail that could still become a
 * stop string, and cuts the text where a stop string appears.
 */
public final class TextAssembler {
  private final Detokenizer detokenizer;
  private final List<String> stopStrings;
  private final List<Integer> ids = new ArrayList<>();
  private String text = "";
  private int emitted;
  private boolean stopped;

  public TextAssembler(Detokenizer detokenizer, List<String> stopStrings) {
    this.detokenizer = detokenizer;
    this.stopStrings = stopStrings.stream().filter(s -> !s.isEmpty()).toList();
  }

  /** Adds a generated token; returns the text that became final (possibly empty). */
  public String add(int tokenId) {
    if (stopped) {
      return "";
    }
    ids.add(tokenId);
    text = detokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
    int stopAt = firstStop(text);
    if (stopAt >= 0) {
      text = text.substring(0, stopAt);
      stopped = true;
      return take(text.length());
    }
    int safe = text.length();
    while (safe > emitted && text.charAt(safe - 1) == '\uFFFD') {
      safe--;
    }
    safe -= longestStopPrefixSuffix(text.substring(0, safe));
    return take(Math.max(safe, emitted));
  }

  /** At the end of generation: whatever was held back. */
  public String flush() {
    return take(text.length());
  }

  public boolean stopped() {
    return stopped;
  }

  public String text() {
    return text;
  }

  private String take(int end) {
    String out = text.substring(emitted, end);
    emitted = end;
    return out;
  }

  private int firstStop(String s) {
    int best = -1;
    for (String stop : stopStrings) {
      int at = s.indexOf(stop, Math.max(0, emitted - stop.length()));
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  /** Length of the longest suffix of s that is a proper prefix of a stop string. */
  private int longestStopPrefixSuffix(String s) {
    int longest = 0;
    for (String stop : stopStrings) {
      for (int len = Math.min(stop.length() - 1, s.length()); len > longest; len--) {
        if (s.endsWith(stop.substring(0, len))) {
          longest = len;
          break;
        }
      }
    }
    return longest;
  }
}
