package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand that loads a model (chat, serve, quickstart --model, train, export) on every
 * kind of bad input: a clean one-line message that names the file or field, the documented
 * permanent exit code (66 missing input, 65 malformed file, 78 unsupported or invalid
 * configuration), and no stack trace. Exit 1 and a trace are for kubetune's own bugs only.
 */
class InputErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DATA =
      Path.of("src/main/resources/quickstart/identity.jsonl").toAbsolutePath();

  @TempDir Path dir;

  /** A broken model folder: a name, and what to do to a copy of the qwen2 fixture. */
  private record Breakage(String name, Edit edit, int code, String message) {}

  private interface Edit {
    void apply(Path model) throws IOException;
  }

  private static final List<Breakage> MODEL_BREAKAGES =
      List.of(
          new Breakage("missing folder", m -> deleteTree(m), 66, "missing"),
          new Breakage(
              "no config.json", m -> Files.delete(m.resolve("config.json")), 66, "config.json"),
          new Breakage(
              "garbled config.json",
              m -> Files.writeString(m.resolve("config.json"), "{\"model_type\": \"qwen2\", "),
              78,
              "config.json:1:25: invalid JSON"),
          new Breakage(
              "unsupported architecture qwen3",
              m -> config(m, c -> c.put("model_type", "qwen3")),
              78,
              "model_type 'qwen3' is not supported"),
          new Breakage(
              "mistral with a sliding window",
              m -> config(m, c -> c.put("model_type", "mistral").put("sliding_window", 4096)),
              78,
              "model_type 'mistral' is not supported"),
          new Breakage(
              "qwen2 with use_sliding_window",
              m -> config(m, c -> c.put("use_sliding_window", true).put("sliding_window", 8)),
              78,
              "use_sliding_window"),
          new Breakage(
              "no tokenizer", m -> Files.delete(m.resolve("tokenizer.json")), 66, "tokenizer"),
          new Breakage(
              "garbled tokenizer.json",
              m -> Files.writeString(m.resolve("tokenizer.json"), "{\"model\": "),
              65,
              "tokenizer.json:1:11: invalid JSON"),
          new Breakage(
              "tokenizer.json that is no tokenizer",
              m -> Files.writeString(m.resolve("tokenizer.json"), "{\"version\": 1}"),
              65,
              "tokenizer.json: not a tokenizer.json"),
          new Breakage(
              "garbled tokenizer_config.json",
              m -> Files.writeString(m.resolve("tokenizer_config.json"), "{\"chat_template\": "),
              65,
              "tokenizer_config.json:1:19: invalid JSON"),
          new Breakage(
              "chat template that does not parse",
              m -> template(m, "{% for m in messages %}{{ m.content }}"),
              78,
              "chat_template"),
          new Breakage(
              "garbled weights",
              m -> Files.writeString(m.resolve("model.safetensors"), "garbage"),
              65,
              "model.safetensors"),
          new Breakage(
              "no weights", m -> Files.delete(m.resolve("model.safetensors")), 66, "no weights"));

  @TestFactory
  Stream<DynamicTest> chatServeAndQuickstartRefuseABrokenModelCleanly() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Breakage b : MODEL_BREAKAGES) {
      tests.add(
          test(
              "chat: " + b.name(),
              b,
              m ->
                  List.of("chat", "--model", m.toString(), "--prompt", "Hi", "--max-tokens", "2")));
      tests.add(
          test(
              "serve: " + b.name(),
              b,
              m -> List.of("serve", "--model", m.toString(), "--port", "0")));
      if (!b.name().contains("chat template")) { // quickstart trains with an XTuner template
        tests.add(
            test(
                "quickstart --model: " + b.name(),
                b,
                m ->
                    List.of(
                        "quickstart",
                        "--model",
                        m.toString(),
                        "--output",
                        m.resolveSibling("qs").toString(),
                        "--prompt",
                        "Hi")));
      }
    }
    tests.add(
        test(
            "chat: no chat template",
            new Breakage("no chat template", m -> template(m, null), 78, "no chat_template"),
            m -> List.of("chat", "--model", m.toString(), "--prompt", "Hi")));
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> trainAndExportRefuseABrokenModelCleanly() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Breakage b : MODEL_BREAKAGES) {
      tests.add(
          test("train: " + b.name(), b, m -> List.of("train", "-f", job(m, DATA).toString())));
      if (!b.name().contains("tokenizer") && !b.name().contains("template")) {
        // export loads the model before it reads the checkpoint
        tests.add(
            test(
                "export: " + b.name(),
                b,
                m -> List.of("export", "-f", jobWithCheckpoint(m).toString())));
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> trainRefusesBadDataAndSpecsCleanly() {
    return Stream.of(
        test(
            "train: malformed dataset line",
            new Breakage("bad line", m -> {}, 65, "bad.jsonl:2: invalid JSON"),
            m -> {
              Path data = m.resolveSibling("bad.jsonl");
              write(
                  data,
                  "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\":"
                      + " \"assistant\", \"content\": \"yo\"}]}\n{bad json\n");
              return List.of("train", "-f", job(m, data).toString());
            }),
        test(
            "train: missing dataset",
            new Breakage("missing dataset", m -> {}, 66, "datasets[0].source"),
            m -> List.of("train", "-f", job(m, m.resolveSibling("nope.jsonl")).toString())),
        test(
            "train: garbled job spec",
            new Breakage("garbled spec", m -> {}, 78, "invalid YAML"),
            m -> {
              Path job = m.resolveSibling("garbled.yaml");
              write(job, "model: [\n");
              return List.of("train", "-f", job.toString());
            }),
        test(
            "chat: garbled adapter_config.json",
            new Breakage("bad adapter", m -> {}, 65, "adapter_config.json:1:"),
            m -> {
              Path adapter = m.resolveSibling("adapter");
              Files.createDirectories(adapter);
              write(adapter.resolve("adapter_config.json"), "{\"r\" 4}");
              write(adapter.resolve("adapter_model.safetensors"), "x");
              return List.of(
                  "chat",
                  "--model",
                  m.toString(),
                  "--adapter",
                  adapter.toString(),
                  "--prompt",
                  "Hi");
            }),
        test(
            "chat: missing adapter",
            new Breakage("no adapter", m -> {}, 66, "no such folder"),
            m ->
                List.of(
                    "chat",
                    "--model",
                    m.toString(),
                    "--adapter",
                    m.resolveSibling("nope").toString(),
                    "--prompt",
                    "Hi")));
  }

  private interface Args {
    List<String> of(Path model) throws IOException;
  }

  private DynamicTest test(String name, Breakage b, Args args) {
    return DynamicTest.dynamicTest(
        name,
        () -> {
          Path model = Files.createTempDirectory(dir, "case").resolve("missing");
          copyFixture(model);
          b.edit().apply(model);
          StringWriter err = new StringWriter();
          var cmd = Kubetune.commandLine();
          cmd.setErr(new PrintWriter(err));
          int code = cmd.execute(args.of(model).toArray(String[]::new));
          assertThat(code).as("%s: exit code; stderr:%n%s", name, err).isEqualTo(b.code());
          assertThat(TrainerExitCodes.PERMANENT).contains(code);
          assertThat(err.toString())
              .as(name)
              .contains(b.message())
              .doesNotContain("\tat ")
              .doesNotContain("internal error");
        });
  }

  private static void copyFixture(Path model) throws IOException {
    Files.createDirectories(model);
    Path src = Fixtures.model("qwen2");
    for (String f :
        List.of(
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json")) {
      Files.copy(src.resolve(f), model.resolve(f));
    }
  }

  private static void config(Path model, Function<ObjectNode, ObjectNode> change)
      throws IOException {
    ObjectNode c = (ObjectNode) JSON.readTree(model.resolve("config.json").toFile());
    JSON.writeValue(model.resolve("config.json").toFile(), change.apply(c));
  }

  private static void template(Path model, String source) throws IOException {
    Path file = model.resolve("tokenizer_config.json");
    ObjectNode c = (ObjectNode) JSON.readTree(file.toFile());
    if (source == null) {
      c.remove("chat_template");
    } else {
      c.put("chat_template", source);
    }
    JSON.writeValue(file.toFile(), c);
  }

  private static Path job(Path model, Path data) throws IOException {
    Path job = model.resolveSibling("job.yaml");
    write(
        job,
        """
        model: {source: "file://%s"}
        datasets: [{source: "file://%s", format: openai, template: tokenizer}]
        method: {type: lora, lora: {r: 4, alpha: 8}}
        training: {maxSteps: 1, microBatchSize: 2, maxLength: 48}
        output: {path: "file://%s"}
        """
            .formatted(model, data, model.resolveSibling("out")));
    return job;
  }

  private static Path jobWithCheckpoint(Path model) throws IOException {
    Path job = job(model, DATA);
    Path checkpoint = model.resolveSibling("out").resolve("checkpoints").resolve("step-1");
    Files.createDirectories(checkpoint);
    // complete as a checkpoint (a manifest and its one shard at its size), so that export goes on
    // to load the model
    write(checkpoint.resolve("rank-00000-of-00001.safetensors"), "x");
    write(
        checkpoint.resolve("manifest.json"),
        "{\"format\": \"kubetune-sharded-1\", \"world\": 1, \"zeroStage\": 0,"
            + " \"layout\": {\"units\": []}, \"shards\": [{\"rank\": 0, \"file\":"
            + " \"rank-00000-of-00001.safetensors\", \"bytes\": 1}]}");
    return job;
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> files = Files.walk(p)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
