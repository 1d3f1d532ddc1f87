package io.kubetune.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.DatasetSpec;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.SourceUri;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingSpec;
import io.kubetune.trainer.error.KubetuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobSpecLoaderTest {
  @TempDir Path dir;
  private JobSpecLoader loader;

  @BeforeEach
  void setUp() throws IOException {
    Path pvc = dir.resolve("pvc");
    Files.createDirectories(pvc.resolve("models/qwen"));
    Files.createDirectories(pvc.resolve("data"));
    Files.writeString(pvc.resolve("data/train.jsonl"), "{}\n");
    loader = new JobSpecLoader(new SourceResolver(pvc));
  }

  private Path write(String yaml) throws IOException {
    Path f = dir.resolve("job.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private static final String MINIMAL =
      """
      model:
        source: pvc://models/qwen
      datasets:
        - source: pvc://data/train.jsonl
      """;

  @Test
  void aMinimalSpecGetsTheDefaults() throws IOException {
    ResolvedJob job = loader.load(write(MINIMAL));
    TrainingJobSpec spec = job.spec();
    assertThat(spec.method().type()).isEqualTo(MethodSpec.Type.LORA);
    assertThat(spec.training()).isEqualTo(TrainingSpec.defaults());
    assertThat(spec.datasets().get(0).format()).isEqualTo(DatasetSpec.Format.OPENAI);
    assertThat(job.modelDir()).isEqualTo(dir.resolve("pvc/models/qwen"));
    assertThat(job.datasetFiles()).containsExactly(dir.resolve("pvc/data/train.jsonl"));
    assertThat(job.outputDir()).isEmpty();
  }

  @Test
  void everyFieldIsRead() throws IOException {
    Path model = dir.resolve("pvc/models/qwen");
    ResolvedJob job =
        loader.load(
            write(
                """
                model:
                  source: file://%s
                  revision: "1.0"
                datasets:
                  - source: pvc://data/train.jsonl
                    format: sharegpt
                    template: qwen_chat
                    onInvalid: skip
                    maxSamples: 100
                method:
                  type: lora
                  lora: {r: 16, alpha: 32, dropout: 0.1, targetModules: [q_proj, v_proj]}
                training:
                  epochs: 3
                  maxSteps: 500
                  microBatchSize: 4
                  gradientAccumulation: 8
                  learningRate: 1.0e-4
                  warmupRatio: 0.1
                  schedule: linear
                  weightDecay: 0.01
                  maxGradNorm: 0.5
                  maxLength: 4096
                  packing: true
                  seed: 7
                  precision: bf16
                checkpoint: {everySteps: 20, keep: 5}
                evaluation:
                  prompts: ["Who are you?"]
                  systemPrompt: Be brief.
                  everySteps: 10
                  maxNewTokens: 32
                output:
                  path: pvc://out/run1
                """
                    .formatted(model)));
    TrainingJobSpec s = job.spec();
    assertThat(s.model().revision()).isEqualTo("1.0");
    assertThat(s.datasets().get(0))
        .isEqualTo(
            new DatasetSpec(
                "pvc://data/train.jsonl",
                DatasetSpec.Format.SHAREGPT,
                DatasetSpec.Template.QWEN_CHAT,
                DatasetSpec.OnInvalid.SKIP,
                100));
    assertThat(s.method().lora().targetModules()).containsExactly("q_proj", "v_proj");
    assertThat(s.training().learningRate()).isEqualTo(1.0e-4);
    assertThat(s.training().precision()).isEqualTo(TrainingSpec.Precision.BF16);
    assertThat(s.checkpoint().keep()).isEqualTo(5);
    assertThat(s.evaluation().prompts()).containsExactly("Who are you?");
    assertThat(job.modelDir()).isEqualTo(model);
    assertThat(job.outputDir()).contains(dir.resolve("pvc/out/run1"));
  }

  @Test
  void aWholeFineTuneJobIsAccepted() throws IOException {
    ResolvedJob job =
        loader.load(
            write(
                """
                apiVersion: kubetune.io/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: qwen2-identity
                  labels: {team: ml}
                spec:
                  model:
                    source: pvc://models/qwen
                  datasets:
                    - source: pvc://data/train.jsonl
                      template: qwen_chat
                  training:
                    epochs: 3
                  resources:
                    nodes: 1
                    gpusPerNode: 8
                  storage: {claimTemplate: {size: 10Gi}}
                  serve: {replicas: 1}
                  suspend: false
                  backoffLimit: 3
                  activeDeadlineSeconds: 3600
                  ttlSecondsAfterFinished: 60
                """));
    assertThat(job.spec().training().epochs()).isEqualTo(3);
    assertThat(job.spec().datasets().get(0).template()).isEqualTo(DatasetSpec.Template.QWEN_CHAT);
  }

  @Test
  void theRepositoryExampleLoads() throws IOException {
    Path example =
        Path.of(System.getProperty("kubetune.repoRoot"), "examples/finetunejob-lora.yaml");
    TrainingJobSpec spec = loader.read(example);
    assertThat(spec.model().source()).isEqualTo("pvc://models/qwen2-0.5b-instruct");
    assertThat(spec.training().packing()).isTrue();
  }

  private static final String UNCHECKED =
      "\njob.yaml: <nil>: Invalid value: null: some validation rules were not checked because the"
          + " object was invalid; correct the existing errors to complete validation";

  /**
   * A bad spec per row: the YAML and the whole expected message (file is "job.yaml" here): the API
   * server's own words for the same rule, at the line and column of the value.
   */
  static Stream<Arguments> badSpecs() {
    return Stream.of(
        Arguments.of(
            MINIMAL + "training:\n  epochs: 2\n  learningrate: 0.1\n",
            "job.yaml:7:3: unknown field \"training.learningrate\" (did you mean learningRate?)"),
        Arguments.of(
            MINIMAL + "training:\n  learningRate: 3.5\n",
            "job.yaml:6:17: training.learningRate: Invalid value: 3.5: training.learningRate in body"
                + " should be less than or equal to 1"),
        Arguments.of(
            MINIMAL + "training:\n  learningRate: 3.0\n",
            "job.yaml:6:17: training.learningRate: Invalid value: 3: training.learningRate in body"
                + " should be less than or equal to 1"),
        Arguments.of(
            MINIMAL + "training:\n  learningRate: 0\n",
            "job.yaml:6:17: training.learningRate: Invalid value: 0: training.learningRate in body"
                + " should be greater than 0"),
        Arguments.of(
            MINIMAL + "method:\n  lora:\n    dropout: 1.0\n",
            "job.yaml:7:14: method.lora.dropout: Invalid value: 1: method.lora.dropout in body should"
                + " be less than 1"),
        Arguments.of(
            MINIMAL + "training:\n  epochs: three\n",
            "job.yaml:6:11: training.epochs: Invalid value: \"string\": training.epochs in body must"
                + " be of type integer: \"string\""
                + UNCHECKED),
        Arguments.of(
            MINIMAL + "training:\n  packing: yes please\n",
            "job.yaml:6:12: training.packing: Invalid value: \"string\": training.packing in body"
                + " must be of type boolean: \"string\""
                + UNCHECKED),
        Arguments.of(
            MINIMAL + "training:\n  maxLength: 4\n",
            "job.yaml:6:14: training.maxLength: Invalid value: 4: training.maxLength in body should be"
                + " greater than or equal to 8"),
        Arguments.of(
            MINIMAL + "training:\n  maxSteps: 3000000000\n",
            "job.yaml:6:13: training.maxSteps: Invalid value: 3000000000: training.maxSteps in body"
                + " should be less than or equal to 2147483647"),
        Arguments.of(
            MINIMAL + "training:\n  schedule: cosine_with_restarts\n",
            "job.yaml:6:13: training.schedule: Unsupported value: \"cosine_with_restarts\": supported"
                + " values: \"constant\", \"cosine\", \"linear\""
                + UNCHECKED),
        Arguments.of(
            MINIMAL + "method:\n  type: full\n  lora:\n    r: 8\n",
            "job.yaml:6:3: method: Invalid value: method.lora must not be set when method.type is"
                + " full"),
        Arguments.of(
            MINIMAL + "method:\n  type: qlora\n",
            "job.yaml:6:9: method.type: Invalid value: \"qlora\": qlora is not supported yet (the"
                + " 4-bit quantized base is not built): use lora"),
        Arguments.of(
            "model:\n  source: pvc://models/qwen\n",
            "job.yaml: datasets: Required value" + UNCHECKED),
        Arguments.of(
            "model:\n  source: pvc://models/qwen\ndatasets: []\n",
            "job.yaml:3:11: datasets: Invalid value: 0: datasets in body should have at least 1"
                + " items"),
        Arguments.of(
            "datasets:\n  - source: pvc://data/train.jsonl\n",
            "job.yaml: model: Required value" + UNCHECKED),
        Arguments.of(
            "model:\n  revision: x\ndatasets:\n  - source: pvc://data/train.jsonl\n",
            "job.yaml:2:3: model.source: Required value" + UNCHECKED),
        Arguments.of(
            "model:\n  source: http://example.com/m\ndatasets:\n  - source: pvc://data/x\n",
            "job.yaml:2:11: model.source: Invalid value: \"http://example.com/m\": model.source in"
                + " body should match '"
                + SourceUri.SOURCE_PATTERN
                + "'"),
        Arguments.of(
            "model:\n  source: pvc://models/../../etc\ndatasets:\n  - source: pvc://data/x\n",
            "job.yaml:2:11: model.source: Invalid value: \"pvc://models/../../etc\": the path must be"
                + " normalised: no '//', '.' or '..' segment (a path inside a claim is relative to"
                + " it and stays inside it)"),
        Arguments.of(
            MINIMAL + "output:\n  path: pvc://out//tmp/model\n",
            "job.yaml:6:9: output.path: Invalid value: \"pvc://out//tmp/model\": the path must be"
                + " normalised: no '//', '.' or '..' segment (a path inside a claim is relative to"
                + " it and stays inside it)"),
        Arguments.of(
            MINIMAL + "    format: csv\n",
            "job.yaml:5:13: datasets[0].format: Unsupported value: \"csv\": supported values:"
                + " \"alpaca\", \"llava\", \"openai\", \"sharegpt\", \"text\", \"xtuner\""
                + UNCHECKED),
        Arguments.of(
            MINIMAL + "    maxSamples: 0\n",
            "job.yaml:5:17: datasets[0].maxSamples: Invalid value: 0: datasets[0].maxSamples in body"
                + " should be greater than or equal to 1"),
        Arguments.of(
            MINIMAL + "method:\n  lora:\n    targetModules: []\n",
            "job.yaml:7:20: method.lora.targetModules: Invalid value: 0: method.lora.targetModules in"
                + " body should have at least 1 items"),
        Arguments.of(
            MINIMAL + "evaluation:\n  prompts: [" + "\"p\", ".repeat(16) + "\"p\"]\n",
            "job.yaml:6:12: evaluation.prompts: Too many: 17: must have at most 16 items"
                + UNCHECKED),
        Arguments.of(
            MINIMAL + "training: 5\n",
            "job.yaml:5:11: training: Invalid value: \"integer\": training in body must be of type"
                + " object: \"integer\""
                + UNCHECKED),
        Arguments.of(
            MINIMAL + "trainig:\n  epochs: 1\n",
            "job.yaml:5:1: unknown field \"trainig\" (did you mean training?)"),
        Arguments.of(
            MINIMAL + "resources:\n  nodes: 2\n", "job.yaml:5:1: unknown field \"resources\""),
        Arguments.of(
            "apiVersion: kubetune.io/v1\nkind: FineTuneJob\nspec:\n"
                + MINIMAL.indent(2)
                + "  training:\n    learningRate: 2\n",
            "job.yaml:1:13: apiVersion: must be kubetune.io/v1alpha1, got 'kubetune.io/v1'"),
        Arguments.of(
            "apiVersion: kubetune.io/v1alpha1\nkind: FineTuneJob\nmetadata: {name: x}\nspec:\n"
                + MINIMAL.indent(2)
                + "  storage: {claimName: runs}\n  resources: {nodes: 200}\n",
            "job.yaml:10:22: spec.resources.nodes: Invalid value: 200: spec.resources.nodes in body"
                + " should be less than or equal to 128"),
        Arguments.of(
            "kind: FineTuneJob\napiVersion: kubetune.io/v1alpha1\nmetadata: {name: x}\n",
            "job.yaml: spec: Required value" + UNCHECKED),
        Arguments.of(
            "model: [\n",
            "job.yaml:2:1: invalid YAML: expected the node content, but found '<stream end>'"
                + " (while parsing a flow node)"),
        Arguments.of(
            "model:\n  source: a\n source: b\n",
            "job.yaml:3:2: invalid YAML: expected <block end>, but found '<block mapping start>'"
                + " (while parsing a block mapping)"),
        Arguments.of(
            MINIMAL + "training:\n  epochs: 1\n  epochs: 2\n",
            "job.yaml:7:11: invalid YAML: Duplicate field 'epochs'"),
        Arguments.of("", "job.yaml: the file is empty"));
  }

  @ParameterizedTest
  @MethodSource("badSpecs")
  void aBadSpecIsAConfigErrorWithFileLineColumnAndFieldPath(String yaml, String expected)
      throws IOException {
    Path file = write(yaml);
    String message =
        org.assertj.core.api.Assertions.catchThrowableOfType(
                KubetuneException.class, () -> loader.read(file))
            .getMessage();
    String shown = message.replace(file.toString(), "job.yaml");
    assertThat(shown).isEqualTo(expected);
  }

  @Test
  void allProblemsAreReportedAtOnceInFileOrder() throws IOException {
    Path file =
        write(MINIMAL + "checkpoint:\n  keep: 0\ntraining:\n  epochs: 0\n  learningRate: 5\n");
    assertThatThrownBy(() -> loader.read(file))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.CONFIG_ERROR))
        .hasMessage(
            String.join(
                "\n",
                file
                    + ":6:9: checkpoint.keep: Invalid value: 0: checkpoint.keep in body should be"
                    + " greater than or equal to 1",
                file
                    + ":8:11: training.epochs: Invalid value: 0: training.epochs in body should be"
                    + " greater than or equal to 1",
                file
                    + ":9:17: training.learningRate: Invalid value: 5: training.learningRate in body"
                    + " should be less than or equal to 1"));
  }

  @Test
  void missingSourcesAreNoInputNamingTheField() throws IOException {
    Path noModel =
        write(
            "model:\n  source: pvc://models/nope\ndatasets:\n  - source: pvc://data/train.jsonl\n");
    assertThatThrownBy(() -> loader.load(noModel))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.NO_INPUT))
        .hasMessage(
            "model.source: no such directory: "
                + dir.resolve("pvc/models/nope")
                + " (pvc://models/nope)");
    Path noData =
        write(
            "model:\n  source: pvc://models/qwen\ndatasets:\n  - source: pvc://data/train.jsonl\n"
                + "  - source: file:///nonexistent/d.jsonl\n");
    assertThatThrownBy(() -> loader.load(noData))
        .hasMessage(
            "datasets[1].source: no such file: /nonexistent/d.jsonl (file:///nonexistent/d.jsonl)");
    assertThatThrownBy(() -> loader.load(dir.resolve("absent.yaml")))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.NO_INPUT));
  }

  @Test
  void thePvcRootComesFromTheEnvironment() {
    assertThat(SourceResolver.fromEnvironment(Map.of()).resolve("f", "pvc://c/a/b"))
        .isEqualTo(Path.of("/mnt/pvc/c/a/b"));
    assertThat(
            SourceResolver.fromEnvironment(Map.of("KUBETUNE_PVC_ROOT", "/data"))
                .resolve("f", "pvc://c/a"))
        .isEqualTo(Path.of("/data/c/a"));
    assertThat(SourceResolver.fromEnvironment(Map.of()).resolve("f", "file:///x/y"))
        .isEqualTo(Path.of("/x/y"));
  }
}
