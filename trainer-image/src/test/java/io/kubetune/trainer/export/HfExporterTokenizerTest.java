package io.kubetune.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.torch.Dtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported tokenizer keeps the base's chat template, or carries the training template. */
class HfExporterTokenizerTest {
  /** A base saved by transformers 5: its template is chat_template.jinja, not in the config. */
  private static final Path BASE = Fixtures.ROOT.resolve("llava/model");

  @TempDir Path out;

  private ExportRequest request(String chatTemplate) {
    return new ExportRequest(BASE, null, null, out, chatTemplate, Set.of(), Dtype.F32, "base");
  }

  @Test
  void theBasesChatTemplateFileIsCopied() throws Exception {
    HfExporter.writeTokenizer(request(null), out);

    assertThat(out.resolve("chat_template.jinja"))
        .hasSameTextualContentAs(BASE.resolve("chat_template.jinja"));
    assertThat(
            new ObjectMapper()
                .readTree(out.resolve("tokenizer_config.json").toFile())
                .has("chat_template"))
        .isFalse();
  }

  @Test
  void aTrainingTemplateReplacesTheBasesFile() throws Exception {
    HfExporter.writeTokenizer(request("{{ 'xtuner' }}"), out);

    // transformers reads chat_template.jinja before tokenizer_config.json's chat_template
    assertThat(Files.exists(out.resolve("chat_template.jinja"))).isFalse();
    assertThat(
            new ObjectMapper()
                .readTree(out.resolve("tokenizer_config.json").toFile())
                .get("chat_template")
                .asText())
        .isEqualTo("{{ 'xtuner' }}");
  }
}
