package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.DatasetSpec;
import io.kubetune.api.DatasetSpec.Format;
import io.kubetune.api.DatasetSpec.OnInvalid;
import io.kubetune.api.DatasetSpec.Template;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LLaVA data with images that are missing, unreadable or outside the image folder: each is reported
 * with its file and line, and stops the run or is counted per onInvalid.
 */
class LlavaDatasetTest {
  private static final Path LLAVA = Path.of("src/test/resources/fixtures/llava");
  // the fixture LLaVA's <image> token and its 4 x 4 patch features
  private static final ImagePlaceholders PLACEHOLDERS = new ImagePlaceholders(1000, 16);
  private static Tokenizer tokenizer;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws IOException {
    tokenizer = Tokenizer.load(LLAVA.resolve("model"));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static String line(String image) {
    return "{\"id\": \"x\", \"image\": \""
        + image
        + "\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image>\\nWhat is it?\"},"
        + " {\"from\": \"gpt\", \"value\": \"A shape.\"}]}";
  }

  private Path data() throws IOException {
    Path images = Files.createDirectories(dir.resolve("images"));
    Files.copy(LLAVA.resolve("images/a.png"), images.resolve("a.png"));
    Files.writeString(images.resolve("notes.png"), "not a picture");
    Files.copy(LLAVA.resolve("images/b.png"), dir.resolve("outside.png"));
    return Files.writeString(
        dir.resolve("llava.jsonl"),
        String.join(
            "\n",
            line("a.png"),
            line("missing.png"),
            line("notes.png"),
            line("../outside.png"),
            line("a.png")));
  }

  private static DatasetSpec spec(OnInvalid onInvalid) {
    return new DatasetSpec("file:///unused", Format.LLAVA, Template.QWEN_CHAT, onInvalid, null);
  }

  @Test
  void aMissingImageStopsTheRunWithFileAndLine() throws IOException {
    Path f = data();
    DatasetLoader loader = new DatasetLoader(tokenizer, 256, PLACEHOLDERS);
    assertThatThrownBy(
            () -> loader.load("datasets[0]", spec(OnInvalid.FAIL), f, dir.resolve("images")))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.DATA_ERROR))
        .hasMessageStartingWith(f + ":2: image 'missing.png': no such file: ");
  }

  @Test
  void withSkipEachBadImageIsCountedWithItsLine() throws IOException {
    Path f = data();
    LoadedDataset d =
        new DatasetLoader(tokenizer, 256, PLACEHOLDERS)
            .load("datasets[0]", spec(OnInvalid.SKIP), f, dir.resolve("images"));
    assertThat(d.samples()).hasSize(2);
    assertThat(d.samples().get(0).images()).hasSize(1);
    assertThat(d.stats().records()).isEqualTo(5);
    assertThat(d.stats().invalid()).isEqualTo(3);
    assertThat(d.stats().invalidExamples())
        .satisfiesExactly(
            m -> assertThat(m).startsWith(f + ":2: image 'missing.png': no such file"),
            m -> assertThat(m).startsWith(f + ":3: image 'notes.png': not an image in a format"),
            m ->
                assertThat(m)
                    .startsWith(f + ":4: image '../outside.png' is not a path inside the image"));
  }
}
