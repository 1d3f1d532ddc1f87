package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.tokenizer.Fixtures;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** job.yaml to batches: the path the training loop takes. */
class TrainingDataTest {
  @TempDir Path pvc;

  @Test
  void fromJobYamlToPackedBatches() throws Exception {
    Path identity = Path.of(getClass().getResource("/quickstart/identity.jsonl").toURI());
    Files.createDirectories(pvc.resolve("data"));
    Files.copy(identity, pvc.resolve("data/identity.jsonl"));
    Files.writeString(
        pvc.resolve("data/pretrain.jsonl"),
        "{\"text\": \"Kubetune fine-tunes models on Kubernetes.\"}\n"
            + "{\"text\": \"It descends from XTuner.\"}\n");
    Path job = pvc.resolve("job.yaml");
    Files.writeString(
        job,
        """
        model:
          source: file://%s
        datasets:
          - source: pvc://data/identity.jsonl
            template: qwen_chat
          - source: pvc://data/pretrain.jsonl
            format: text
        training:
          maxLength: 128
          packing: true
          microBatchSize: 2
          epochs: 2
          seed: 3
        """
            .formatted(Fixtures.model("qwen2")));
    ResolvedJob resolved = new JobSpecLoader(new SourceResolver(pvc)).load(job);
    try (Tokenizer tokenizer = Tokenizer.load(resolved.modelDir())) {
      TrainingData data = TrainingData.load(resolved.spec(), resolved.datasetFiles(), tokenizer);
      assertThat(data.stats()).hasSize(2);
      assertThat(data.stats().get(0).samples()).isEqualTo(56);
      assertThat(data.stats().get(1).samples()).isEqualTo(2);
      assertThat(data.options().padId()).isEqualTo(997); // <|endoftext|>
      TrainingDataIterator batches = data.batches(DataPosition.START);
      int count = 0;
      int samples = 0;
      while (batches.hasNext()) {
        Batch b = batches.next();
        assertThat(b.rows()).isBetween(1, 2);
        assertThat(b.columns()).isEqualTo(128);
        samples += b.samples();
        count++;
      }
      assertThat(samples).isEqualTo(2 * 58);
      assertThat(count)
          .isEqualTo(
              data.batches(DataPosition.START).batchesInEpoch(0)
                  + data.batches(DataPosition.START).batchesInEpoch(1));
    }
  }
}
