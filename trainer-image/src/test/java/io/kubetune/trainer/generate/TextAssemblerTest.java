package io.kubetune.trainer.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextAssemblerTest {
  /** One character per token id: id 0 -> 'a', 1 -> 'b', ...; 99 decodes as a broken character. */
  private static final Detokenizer LETTERS =
      ids -> {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
          boolean brokenTail = ids[i] == 99 && i == ids.length - 1;
          sb.append(brokenTail ? '\uFFFD' : ids[i] == 99 ? 'é' : (char) ('a' + ids[i]));
        }
        return sb.toString();
      };

  @Test
  void holdsBackWhatMightStartAStopStringThenCutsBeforeIt() {
    TextAssembler t = new TextAssembler(LETTERS, List.of("cde"));
    StringBuilder streamed = new StringBuilder();
    for (int id : new int[] {0, 1, 2, 3}) {
      streamed.append(t.add(id));
    }
    assertThat(streamed.toString()).isEqualTo("ab"); // "cd" may still become "cde"
    streamed.append(t.add(4));
    assertThat(t.stopped()).isTrue();
    assertThat(t.text()).isEqualTo("ab");
    assertThat(streamed.toString()).isEqualTo("ab");
  }

  @Test
  void releasesHeldBackTextWhenTheStopStringDoesNotMaterialise() {
    TextAssembler t = new TextAssembler(LETTERS, List.of("cde"));
    StringBuilder streamed = new StringBuilder();
    for (int id : new int[] {2, 3, 5}) {
      streamed.append(t.add(id));
    }
    assertThat(streamed.toString()).isEqualTo("cdf");
    assertThat(t.stopped()).isFalse();
  }

  @Test
  void holdsBackAnIncompleteCharacterUntilItIsComplete() {
    TextAssembler t = new TextAssembler(LETTERS, List.of());
    assertThat(t.add(0)).isEqualTo("a");
    assertThat(t.add(99)).isEmpty();
    assertThat(t.add(1)).isEqualTo("éb");
    assertThat(t.flush()).isEmpty();
  }
}
