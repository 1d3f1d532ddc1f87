package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * `kubetune chat --model DIR` and `kubetune train` on each published layout as downloaded
 * (fixtures/layouts): sentencepiece-only tokenizers, pickled .bin shards, remote-code configs. The
 * export is safetensors whatever the input, and loads again.
 */
class LayoutCommandsTest {
  static final List<String> LAYOUTS = Fixtures.LAYOUTS;
  private static final Path DATA =
      Path.of("src/main/resources/quickstart/identity.jsonl").toAbsolutePath();
  @TempDir Path dir;

  @ParameterizedTest
  @FieldSource("LAYOUTS")
  void chatAnswersAndTrainExportsSafetensors(String layout) throws Exception {
    Path model = Fixtures.layout(layout).toAbsolutePath();
    String reply =
        stdout(
            () ->
                run(
                    "chat",
                    "--model",
                    model.toString(),
                    "--prompt",
                    "Who are you?",
                    "--max-tokens",
                    "6",
                    "--seed",
                    "3"));
    assertThat(reply).as("%s chat reply", layout).isNotBlank();

    Path out = dir.resolve("run");
    Path job =
        Files.writeString(
            dir.resolve("job.yaml"),
            """
        model: {source: "file://%s"}
        datasets:
          - {source: "file://%s", format: openai, template: tokenizer}
        method: {type: lora, lora: {r: 4, alpha: 8, dropout: 0.0}}
        training: {maxSteps: 2, microBatchSize: 2, gradientAccumulation: 1, learningRate: 0.001,
                   maxLength: 48, packing: true, seed: 1}
        checkpoint: {everySteps: 2, keep: 1}
        output: {path: "file://%s"}
        """
                .formatted(model, DATA, out));
    assertThat(run("train", "-f", job.toString())).as("%s train", layout).isZero();

    Path hf = out.resolve("hf");
    try (var files = Files.list(hf)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names).contains("config.json", "tokenizer_config.json", "model.safetensors");
      assertThat(names).noneMatch(n -> n.endsWith(".bin"));
      try (var original = Files.list(model)) {
        for (String f : original.map(p -> p.getFileName().toString()).toList()) {
          if (f.endsWith(".py") || f.equals("tokenizer.model") || f.equals("tokenizer.json")) {
            assertThat(names).as("%s export keeps %s", layout, f).contains(f);
          }
        }
      }
    }
    JsonNode config = Fixtures.json(hf.resolve("config.json"));
    JsonNode source = Fixtures.json(model.resolve("config.json"));
    assertThat(config.get("auto_map")).isEqualTo(source.get("auto_map"));
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        LoadedModel again = ModelLoader.load(manager, hf, ModelLoader.Options.fp32());
        Tokenizer tok = Tokenizer.load(hf)) {
      assertThat(again.config().architecture()).isNotNull();
      assertThat(tok.encode("Who are you?", true)).isNotEmpty();
    }
  }

  @org.junit.jupiter.api.Test
  void aRefusedConfigKeyOrPickleIsAPermanentErrorThatNamesIt() throws Exception {
    Path model = dir.resolve("m");
    Files.createDirectories(model);
    Path src = Fixtures.layout("llama-2-7b-chat-hf").toAbsolutePath();
    try (var files = Files.list(src)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, model.resolve(f.getFileName()));
      }
    }
    String config = Files.readString(model.resolve("config.json"));
    Files.writeString(
        model.resolve("config.json"), config.replaceFirst("\\{", "{\"logits_scaling\": 2.0,"));
    java.io.StringWriter err = new java.io.StringWriter();
    var cmd = Kubetune.commandLine();
    cmd.setErr(new java.io.PrintWriter(err));
    assertThat(cmd.execute("chat", "--model", model.toString(), "--prompt", "Hi")).isEqualTo(78);
    assertThat(err.toString()).contains("logits_scaling").doesNotContain("\tat ");

    Files.writeString(model.resolve("config.json"), config);
    Files.copy(
        Fixtures.ROOT.resolve("pickle/foreign_reconstructor.bin"),
        model.resolve("pytorch_model-00001-of-00002.bin"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    err.getBuffer().setLength(0);
    assertThat(cmd.execute("chat", "--model", model.toString(), "--prompt", "Hi")).isEqualTo(65);
    assertThat(err.toString()).contains("posix.system").doesNotContain("\tat ");
  }

  private static int run(String... args) {
    return Kubetune.commandLine().execute(args);
  }

  private interface Body {
    int run() throws Exception;
  }

  private static String stdout(Body body) throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(body.run()).isZero();
    } finally {
      System.setOut(saved);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
