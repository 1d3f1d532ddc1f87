package io.kubetune.trainer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.vision.ImageDecoder;
import io.kubetune.trainer.vision.RgbImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** kubetune chat --image: a terminal conversation about a picture on the tiny LLaVA fixture. */
class ImageChatSessionTest {
  private static final Path LLAVA = Fixtures.ROOT.resolve("llava");
  private static NDManager manager;
  private static LoadedChatModel loaded;

  @BeforeAll
  static void load() throws Exception {
    manager = NDManager.newBaseManager("PyTorch");
    loaded = LoadedChatModel.load(manager, LLAVA.resolve("model"), null, Dtype.F32);
  }

  @AfterAll
  static void close() {
    loaded.close();
    manager.close();
  }

  private static RgbImage image(String name) throws Exception {
    return ImageDecoder.read(LLAVA.resolve("images").resolve(name));
  }

  private static String reply(List<ChatMessage> messages, List<RgbImage> images) {
    return loaded
        .images()
        .orElseThrow()
        .reply(messages, images, SamplingParams.greedy(6, Set.of()), TokenListener.NONE)
        .text();
  }

  @Test
  void anAttachedPictureGoesWithTheNextMessageAndStaysInTheConversation() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ChatSession session =
        new ChatSession(
            loaded.chat(),
            loaded.images().orElseThrow(),
            SamplingParams.greedy(6, Set.of()),
            null,
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    RgbImage a = image("a.png");
    session.attach(a);
    String first = session.ask("What is it?").text();
    ChatMessage asked = ChatMessage.user("<image>\nWhat is it?");
    assertThat(first).isEqualTo(reply(List.of(asked), List.of(a)));
    assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith(first);

    // the next turn still sees the picture: the same as sending the whole conversation again
    String second = session.ask("And its colour?").text();
    assertThat(second)
        .isEqualTo(
            reply(
                List.of(asked, ChatMessage.assistant(first), ChatMessage.user("And its colour?")),
                List.of(a)));

    // and the picture matters: another one gets another prompt's answer
    RgbImage b = image("b.png");
    assertThat(reply(List.of(asked), List.of(b))).isNotEqualTo(first);
  }

  @Test
  void aTypedPlaceholderWithoutAPictureIsRefusedNotEmbedded() {
    ChatSession session =
        new ChatSession(
            loaded.chat(),
            loaded.images().orElseThrow(),
            SamplingParams.greedy(4, Set.of()),
            null,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThatThrownBy(() -> session.ask("<image> what is this?"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 <image> placeholders for 0 images");
  }

  @Test
  void aTextModelTakesNoPicture() throws Exception {
    ChatSession session =
        new ChatSession(
            loaded.chat(),
            SamplingParams.greedy(4, Set.of()),
            null,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    RgbImage a = image("a.png");
    assertThatThrownBy(() -> session.attach(a)).hasMessageContaining("reads text only");
  }
}
