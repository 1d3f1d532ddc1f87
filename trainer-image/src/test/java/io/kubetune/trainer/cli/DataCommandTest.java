package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.data.Batch;
import io.kubetune.trainer.data.DataPosition;
import io.kubetune.trainer.data.TrainingData;
import io.kubetune.trainer.data.TrainingDataIterator;
import io.kubetune.trainer.quickstart.TinyBaseModel;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * kubetune data on the quickstart's tokenizer and chats: the figures are those of the training
 * pipeline, and the marked text is what the template says is trained (the assistant's reply and its
 * end-of-turn token, not the prompt).
 */
class DataCommandTest {
  @TempDir Path dir;
  private Path job;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void setUp() throws Exception {
    Path model = dir.resolve("model");
    TinyBaseModel.copyResource("tokenizer.json", model);
    TinyBaseModel.copyResource("tokenizer_config.json", model);
    Path data = TinyBaseModel.copyResource("identity.jsonl", dir.resolve("data"));
    // a long chat so that maxLength 256 truncates one
    Files.writeString(
        data,
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me everything about yourself,"
            + " please, in detail.\"}, {\"role\": \"assistant\", \"content\": \""
            + "I am Kubetune Assistant. ".repeat(60)
            + "\"}]}\n",
        java.nio.file.StandardOpenOption.APPEND);
    job =
        Files.writeString(
            dir.resolve("job.yaml"),
            """
            model: {source: "file://%s"}
            datasets:
              - {source: "file://%s", format: openai, template: qwen_chat}
            training: {epochs: 2, microBatchSize: 4, gradientAccumulation: 3, maxLength: 256, packing: true}
            """
                .formatted(model, data));
  }

  private int run(String... args) {
    CommandLine cli = Kubetune.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void printsTheTrainingPipelinesFigures() throws Exception {
    assertThat(run("data", "-f", job.toString(), "-n", "1", "--color", "never")).isZero();
    ResolvedJob resolved = new JobSpecLoader(new SourceResolver(dir)).load(job);
    try (Tokenizer tokenizer = Tokenizer.load(resolved.modelDir())) {
      TrainingData data = TrainingData.load(resolved.spec(), resolved.datasetFiles(), tokenizer);
      var stats = data.stats().get(0);
      assertThat(stats.samples()).as(out.toString()).isEqualTo(57);
      assertThat(stats.truncated()).isEqualTo(1);
      assertThat(out.toString())
          .contains(
              String.format(
                  Locale.ROOT,
                  "tokens %,d, trained %,d (%.1f%%)",
                  stats.tokens(),
                  stats.lossTokens(),
                  100.0 * stats.lossTokens() / stats.tokens()))
          .contains("truncated to 256: 1 sample(s)")
          .contains("records 57: samples 57");
      long tokens = 0;
      long slots = 0;
      TrainingDataIterator batches = data.batches(DataPosition.START);
      while (batches.position().epoch() == 0) {
        Batch b = batches.next();
        tokens += b.tokens();
        slots += (long) b.rows() * b.columns();
      }
      assertThat(tokens).isEqualTo(stats.tokens());
      assertThat(out.toString())
          .contains(
              String.format(
                  Locale.ROOT,
                  "packing efficiency %.1f%% (%,d of %,d token slots hold a token)",
                  100.0 * tokens / slots,
                  tokens,
                  slots));
    }
  }

  @Test
  void marksTheAssistantReplyAsTrainedAndThePromptAsNot() {
    assertThat(run("data", "-f", job.toString(), "-n", "1", "--color", "never")).isZero();
    String shown = out.toString().substring(out.toString().indexOf("--- datasets[0] sample 1"));
    assertThat(shown)
        .as(out.toString())
        .contains(
            "[[I am Kubetune Assistant, an AI assistant made by the kubetune team. How can I help"
                + " you today?<|im_end|>]]")
        .contains("<|im_start|>user\nWho are you?<|im_end|>\n<|im_start|>assistant\n[[");
    assertThat(shown.indexOf("[[I am")).isGreaterThan(shown.indexOf("Who are you?"));
  }

  @Test
  void colorsTrainedTokensAndPrintsIdsAndLabelsOnRequest() {
    assertThat(run("data", "-f", job.toString(), "-n", "1", "--color", "always", "--ids")).isZero();
    assertThat(out.toString())
        .contains("\u001B[32mI am Kubetune Assistant")
        .contains("input_ids: [")
        .containsPattern("labels: +\\[-100, ");
  }

  @Test
  void aMalformedLineIsNamedAsTrainingWouldNameIt() throws Exception {
    Path data = dir.resolve("data/identity.jsonl");
    Files.writeString(data, "{\"messages\": 3}\n", java.nio.file.StandardOpenOption.APPEND);
    assertThat(run("data", "-f", job.toString())).isEqualTo(65);
    assertThat(err.toString()).contains(data + ":58:");
  }
}
