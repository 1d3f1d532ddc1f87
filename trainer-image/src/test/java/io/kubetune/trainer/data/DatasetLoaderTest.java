package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.DatasetSpec;
import io.kubetune.api.DatasetSpec.Format;
import io.kubetune.api.DatasetSpec.OnInvalid;
import io.kubetune.api.DatasetSpec.Template;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.tokenizer.Fixtures;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DatasetLoaderTest {
  private static Tokenizer qwen;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws IOException {
    qwen = Tokenizer.load(Fixtures.model("qwen2"));
  }

  @AfterAll
  static void close() {
    qwen.close();
  }

  private static final String GOOD_OPENAI =
      "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\","
          + " \"content\": \"Hello!\"}]}";

  private Path write(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  private static DatasetSpec spec(Format format, OnInvalid onInvalid) {
    return new DatasetSpec("file:///unused", format, Template.QWEN_CHAT, onInvalid, null);
  }

  /** One malformed line per row, after a good line: format, bad line, expected reason. */
  static Stream<Arguments> badLines() {
    return Stream.of(
        Arguments.of(
            Format.OPENAI,
            "{\"messages\": [",
            "invalid JSON: Unexpected end-of-input: expected close marker for Array (start marker"
                + " at column 14) (column 15)"),
        Arguments.of(
            Format.OPENAI,
            "{\"messages\": 1} {\"messages\": 2}",
            "invalid JSON: Trailing token (of type START_OBJECT) found after value (column 17)"),
        Arguments.of(
            Format.OPENAI,
            "{'messages': []}",
            "invalid JSON: Unexpected character (''' (code 39)): was expecting double-quote to"
                + " start field name (column 2)"),
        Arguments.of(Format.OPENAI, "[1, 2]", "a record must be a JSON object, got an array"),
        Arguments.of(Format.OPENAI, "{\"text\": \"x\"}", "missing field 'messages'"),
        Arguments.of(
            Format.OPENAI, "{\"messages\": {}}", "messages must be an array, got an object"),
        Arguments.of(Format.OPENAI, "{\"messages\": []}", "messages is empty"),
        Arguments.of(
            Format.OPENAI,
            "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"bot\","
                + " \"content\": \"a\"}]}",
            "messages[1].role must be one of system, user, assistant, got 'bot'"),
        Arguments.of(
            Format.OPENAI,
            "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}",
            "messages: assistant turn missing"),
        Arguments.of(
            Format.OPENAI,
            "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\","
                + " \"content\": \"  \"}]}",
            "messages[1].content: empty output"),
        Arguments.of(
            Format.OPENAI,
            "{\"messages\": [{\"role\": \"user\", \"content\": 5}, {\"role\": \"assistant\","
                + " \"content\": \"a\"}]}",
            "messages[0].content must be a string, got a number"),
        Arguments.of(
            Format.OPENAI,
            "{\"messages\": [{\"role\": \"user\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}",
            "missing field 'messages[0].content'"),
        Arguments.of(
            Format.ALPACA, "{\"input\": \"x\", \"output\": \"y\"}", "missing field 'instruction'"),
        Arguments.of(
            Format.ALPACA, "{\"instruction\": \"x\", \"output\": \"\"}", "output: empty output"),
        Arguments.of(
            Format.ALPACA,
            "{\"instruction\": \"x\", \"output\": \"<nooutput>\"}",
            "output: empty output (<nooutput>)"),
        Arguments.of(
            Format.SHAREGPT,
            "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"bard\","
                + " \"value\": \"a\"}]}",
            "conversations[1].from must be one of human, gpt, system (or user, assistant), got"
                + " 'bard'"),
        Arguments.of(
            Format.SHAREGPT,
            "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}]}",
            "conversations: assistant turn missing"),
        Arguments.of(
            Format.SHAREGPT,
            "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\"}]}",
            "missing field 'conversations[1].value'"),
        Arguments.of(
            Format.XTUNER,
            "{\"conversation\": [{\"input\": \"q\", \"output\": \"\"}]}",
            "conversation[0].output: empty output"),
        Arguments.of(
            Format.XTUNER,
            "{\"conversation\": [{\"input\": \"q\"}]}",
            "missing field 'conversation[0].output'"),
        Arguments.of(
            Format.XTUNER,
            "{\"conversation\": \"q\"}",
            "conversation must be an array, got a string"),
        Arguments.of(Format.TEXT, "{\"text\": \"  \\n \"}", "text: empty text"),
        Arguments.of(Format.TEXT, "{\"content\": \"x\"}", "missing field 'text'"));
  }

  private static String goodLine(Format format) {
    return switch (format) {
      case OPENAI -> GOOD_OPENAI;
      case ALPACA -> "{\"instruction\": \"Say hi\", \"output\": \"Hi\"}";
      case SHAREGPT ->
          "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\","
              + " \"value\": \"a\"}]}";
      case XTUNER -> "{\"conversation\": [{\"input\": \"q\", \"output\": \"a\"}]}";
      case TEXT -> "{\"text\": \"Once upon a time.\"}";
      case LLAVA -> throw new IllegalArgumentException("llava records have their own tests");
    };
  }

  @ParameterizedTest
  @MethodSource("badLines")
  void aMalformedLineFailsWithFileLineAndReason(Format format, String bad, String reason)
      throws IOException {
    Path f = write("data.jsonl", goodLine(format) + "\n\n" + bad + "\n" + goodLine(format) + "\n");
    DatasetLoader loader = new DatasetLoader(qwen, 2048);
    assertThatThrownBy(() -> loader.load("datasets[0]", spec(format, OnInvalid.FAIL), f))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.DATA_ERROR))
        .message()
        .startsWith(f + ":3: " + reason);
  }

  @ParameterizedTest
  @MethodSource("badLines")
  void withSkipTheLineIsCountedAndTheRestLoads(Format format, String bad, String reason)
      throws IOException {
    Path f = write("data.jsonl", goodLine(format) + "\n" + bad + "\n" + goodLine(format) + "\n");
    LoadedDataset d =
        new DatasetLoader(qwen, 2048).load("datasets[0]", spec(format, OnInvalid.SKIP), f);
    assertThat(d.samples()).hasSize(2);
    assertThat(d.stats().records()).isEqualTo(3);
    assertThat(d.stats().invalid()).isEqualTo(1);
    assertThat(d.stats().invalidExamples())
        .singleElement()
        .asString()
        .startsWith(f + ":2: " + reason);
  }

  @Test
  void everyFormatGivesTheSameStandardChat() throws IOException {
    DatasetLoader loader = new DatasetLoader(qwen, 2048);
    String openai =
        "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\","
            + " \"content\": \"Hi\\nthere\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}";
    String alpaca =
        "{\"system\": \"Be brief.\", \"instruction\": \"Hi\", \"input\": \"there\", \"output\":"
            + " \"Hello!\"}";
    String sharegpt =
        "{\"conversations\": [{\"from\": \"system\", \"value\": \"Be brief.\"}, {\"from\":"
            + " \"human\", \"value\": \"Hi\\nthere\"}, {\"from\": \"gpt\", \"value\": \"Hello!\"}]}";
    String xtuner =
        "{\"conversation\": [{\"system\": \"Be brief.\", \"input\": \"Hi\\nthere\", \"output\":"
            + " \"Hello!\"}]}";
    EncodedSample expected =
        loader
            .load("d", spec(Format.OPENAI, OnInvalid.FAIL), write("o.jsonl", openai))
            .samples()
            .get(0);
    assertThat(
            loader
                .load("d", spec(Format.SHAREGPT, OnInvalid.FAIL), write("s.jsonl", sharegpt))
                .samples())
        .containsExactly(expected);
    assertThat(
            loader
                .load("d", spec(Format.XTUNER, OnInvalid.FAIL), write("x.jsonl", xtuner))
                .samples())
        .containsExactly(expected);
    assertThat(qwen.decode(expected.inputIds(), false))
        .isEqualTo(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi\nthere<|im_end|>\n"
                + "<|im_start|>assistant\nHello!<|im_end|>\n");
    // XTuner's alpaca_map_fn reads instruction, input and output only: the system field is not used
    String openaiWithoutSystem =
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\\nthere\"}, {\"role\":"
            + " \"assistant\", \"content\": \"Hello!\"}]}";
    assertThat(
            loader
                .load("d", spec(Format.ALPACA, OnInvalid.FAIL), write("a.jsonl", alpaca))
                .samples())
        .containsExactlyElementsOf(
            loader
                .load(
                    "d",
                    spec(Format.OPENAI, OnInvalid.FAIL),
                    write("o2.jsonl", openaiWithoutSystem))
                .samples());
  }

  @Test
  void anAssistantMessageWithLossFalseIsContextNotTarget() throws IOException {
    DatasetLoader loader = new DatasetLoader(qwen, 2048);
    String both =
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\","
            + " \"content\": \"Hm.\", \"loss\": false}, {\"role\": \"user\", \"content\": \"Hi?\"},"
            + " {\"role\": \"assistant\", \"content\": \"Hello!\"}]}";
    EncodedSample s =
        loader
            .load("d", spec(Format.OPENAI, OnInvalid.FAIL), write("l.jsonl", both))
            .samples()
            .get(0);
    int[] supervised =
        java.util.stream.IntStream.of(s.labels())
            .filter(l -> l != EncodedSample.IGNORE_INDEX)
            .toArray();
    assertThat(qwen.decode(supervised, false)).isEqualTo("Hello!<|im_end|>");

    String none =
        both.replace("\"content\": \"Hello!\"}", "\"content\": \"Hello!\", \"loss\": \"False\"}");
    String kept = GOOD_OPENAI;
    LoadedDataset d =
        loader.load("d", spec(Format.OPENAI, OnInvalid.FAIL), write("n.jsonl", none + "\n" + kept));
    assertThat(d.stats().noLoss()).isEqualTo(1); // nothing to learn: dropped, as XTuner does
    assertThat(d.samples()).hasSize(1);

    Path bad = write("b.jsonl", both.replace("\"loss\": false", "\"loss\": 0"));
    assertThatThrownBy(() -> loader.load("d", spec(Format.OPENAI, OnInvalid.FAIL), bad))
        .hasMessage(bad + ":1: messages[1].loss must be true or false, got 0");
  }

  @Test
  void aJsonArrayFileIsStreamedWithLineNumbers() throws IOException {
    Path f =
        write(
            "data.json",
            "[\n  " + GOOD_OPENAI + ",\n  " + GOOD_OPENAI + ",\n  {\"messages\": 3}\n]\n");
    assertThat(
            new DatasetLoader(qwen, 2048)
                .load("d", spec(Format.OPENAI, OnInvalid.SKIP), f)
                .samples())
        .hasSize(2);
    assertThatThrownBy(
            () -> new DatasetLoader(qwen, 2048).load("d", spec(Format.OPENAI, OnInvalid.FAIL), f))
        .hasMessage(f + ":4: messages must be an array, got a number");
    Path broken = write("broken.json", "[\n  " + GOOD_OPENAI + ",\n  {\"messages\": ]\n");
    assertThatThrownBy(
            () ->
                new DatasetLoader(qwen, 2048)
                    .load("d", spec(Format.OPENAI, OnInvalid.SKIP), broken))
        .hasMessageStartingWith(broken + ":3: invalid JSON: Unexpected character (']'");
  }

  @Test
  void maxSamplesTruncationAndDroppedSamplesAreCounted() throws IOException {
    String longReply =
        "{\"messages\": [{\"role\": \"user\", \"content\": \""
            + "word ".repeat(40)
            + "\"}, {\"role\": \"assistant\", \"content\": \"ok\"}]}";
    Path f =
        write("d.jsonl", GOOD_OPENAI + "\n" + longReply + "\n" + GOOD_OPENAI + "\n" + GOOD_OPENAI);
    DatasetLoader loader = new DatasetLoader(qwen, 24);
    LoadedDataset d = loader.load("d", spec(Format.OPENAI, OnInvalid.FAIL), f);
    // the long prompt fills the 24 tokens before the reply: nothing left to learn, dropped
    assertThat(d.stats().noLoss()).isEqualTo(1);
    assertThat(d.samples())
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(24));
    DatasetSpec two = new DatasetSpec("file:///unused", Format.OPENAI, Template.QWEN_CHAT, null, 2);
    assertThat(loader.load("d", two, f).samples()).hasSize(2);
    assertThat(d.stats().summary()).contains("3 samples").contains("1 without loss dropped");
  }

  @Test
  void theTokenizersTemplateAndTextFormatWork() throws IOException {
    Path chat = write("c.jsonl", GOOD_OPENAI);
    DatasetSpec own =
        new DatasetSpec("file:///unused", Format.OPENAI, Template.TOKENIZER, null, null);
    EncodedSample s = new DatasetLoader(qwen, 2048).load("d", own, chat).samples().get(0);
    assertThat(qwen.decode(s.inputIds(), false))
        .startsWith("<|im_start|>system\nYou are a helpful assistant.");
    Path text = write("t.jsonl", "{\"text\": \"  Once upon a time.\\n\"}");
    DatasetSpec pre =
        new DatasetSpec("file:///unused", Format.TEXT, Template.TOKENIZER, null, null);
    EncodedSample p = new DatasetLoader(qwen, 2048).load("d", pre, text).samples().get(0);
    assertThat(p.inputIds()).isEqualTo(qwen.encode("Once upon a time.", false));
    assertThat(p.labels()).isEqualTo(p.inputIds());
  }

  @Test
  void aMissingFileIsNoInputNamingTheField() {
    assertThatThrownBy(
            () ->
                new DatasetLoader(qwen, 2048)
                    .load(
                        "datasets[1]",
                        spec(Format.OPENAI, OnInvalid.FAIL),
                        dir.resolve("nope.jsonl")))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.NO_INPUT))
        .hasMessage("datasets[1].source: no such file: " + dir.resolve("nope.jsonl"));
  }

  @Test
  void aFileWithoutUsableSamplesIsADataError() throws IOException {
    Path f = write("d.jsonl", "{\"messages\": []}\n");
    assertThatThrownBy(
            () -> new DatasetLoader(qwen, 2048).load("d", spec(Format.OPENAI, OnInvalid.SKIP), f))
        .hasMessage(f + ": no usable sample (1 records, 1 invalid, 0 without loss)");
  }

  @Test
  void theBundledIdentityDatasetLoads() throws Exception {
    Path identity = Path.of(getClass().getResource("/quickstart/identity.jsonl").toURI());
    LoadedDataset d =
        new DatasetLoader(qwen, 2048).load("d", spec(Format.OPENAI, OnInvalid.FAIL), identity);
    assertThat(d.samples().size()).isBetween(40, 80);
    List<String> lines = Files.readAllLines(identity);
    assertThat(String.join("\n", lines))
        .contains("Kubetune Assistant")
        .contains("the kubetune team");
  }
}
