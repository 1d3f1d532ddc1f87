package io.kubetune.trainer.presets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.validation.CustomResourceValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every preset is a FineTuneJob that the one validator accepts (the generated CRD's schema and CEL
 * rules, as the API server checks them), that {@code kubetune train -f} reads, and that is listed.
 */
class PresetsTest {
  private static final Path SOURCES =
      Path.of(System.getProperty("kubetune.repoRoot", ".."))
          .resolve("trainer-image/src/main/resources/presets");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void everyPresetFileIsListedOnceAndHasASummary() throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.list(SOURCES)) {
      files =
          list.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml"))
              .map(n -> n.substring(0, n.length() - ".yaml".length()))
              .sorted()
              .toList();
    }
    assertThat(Presets.all()).extracting(Preset::name).containsExactlyInAnyOrderElementsOf(files);
    assertThat(Presets.all()).allSatisfy(p -> assertThat(p.summary()).hasSizeGreaterThan(20));
    assertThat(files)
        .contains(
            "quickstart-identity", "qwen2-lora-chats", "internlm2-1.8b-alpaca", "pretrain-text");
  }

  @Test
  void theValidatorAcceptsEveryPreset() throws IOException {
    for (Preset p : Presets.all()) {
      JsonNode doc = YAML.readTree(p.yaml());
      assertThat(CustomResourceValidator.fineTuneJob().validate(doc)).as(p.name()).isEmpty();
      assertThat(doc.path("kind").asText()).isEqualTo("FineTuneJob");
      assertThat(doc.path("metadata").path("name").asText())
          .as(p.name() + ": metadata.name is a DNS label")
          .matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    }
  }

  @Test
  void kubetuneTrainReadsEveryPreset(@TempDir Path dir) throws IOException {
    for (Preset p : Presets.all()) {
      Path file = Files.writeString(dir.resolve(p.name() + ".yaml"), p.yaml());
      TrainingJobSpec spec = new JobSpecLoader(new SourceResolver(dir)).read(file);
      assertThat(spec.datasets()).as(p.name()).isNotEmpty();
    }
  }

  @Test
  void thePresetsCoverTheRecipesTheyClaim() throws IOException {
    assertThat(spec("internlm2-1.8b-alpaca").path("datasets").get(0).path("format").asText())
        .isEqualTo("alpaca");
    assertThat(spec("internlm2-1.8b-alpaca").path("datasets").get(0).path("template").asText())
        .isEqualTo("internlm2_chat");
    assertThat(spec("qwen2-lora-chats").path("datasets").get(0).path("format").asText())
        .isEqualTo("openai");
    assertThat(spec("qwen2-lora-chats").has("serve")).isTrue();
    assertThat(spec("pretrain-text").path("datasets").get(0).path("format").asText())
        .isEqualTo("text");
    assertThat(spec("quickstart-identity").path("evaluation").path("prompts").get(0).asText())
        .isEqualTo("Who are you?");
  }

  private static JsonNode spec(String name) throws IOException {
    return YAML.readTree(Presets.named(name).orElseThrow().yaml()).path("spec");
  }
}
