package io.kubetune.trainer.train;

import io.kubetune.trainer.chat.GenerationDefaults;
import io.kubetune.trainer.chat.StopTokens;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.export.ExportRequest;
import io.kubetune.trainer.export.HfExporter;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Exports a job's trained model: the chat template and stop tokens training used travel with it.
 * Shared by the end of {@code kubetune train} and by {@code kubetune export}.
 */
public final class RunExport {
  private RunExport() {}

  /** The ids that end a reply for this job's template. */
  public static Set<Integer> stopTokens(ResolvedJob job, LoadedModel loaded, Tokenizer tokenizer)
      throws IOException {
    TrainingTemplate template = TrainingTemplate.of(job.spec(), tokenizer);
    return StopTokens.of(
        loaded.config(),
        GenerationDefaults.read(job.modelDir()),
        tokenizer,
        template.source(tokenizer));
  }

  public static HfExporter.Result export(
      ResolvedJob job,
      Path outputDir,
      LoadedModel loaded,
      TrainableModel model,
      Tokenizer tokenizer)
      throws IOException {
    return HfExporter.export(
        new ExportRequest(
            job.modelDir(),
            model.base(),
            model.adapters(),
            outputDir,
            TrainingTemplate.of(job.spec(), tokenizer).exportJinja(),
            stopTokens(job, loaded, tokenizer),
            loaded.config().torchDtype(),
            job.spec().model().source()));
  }
}
