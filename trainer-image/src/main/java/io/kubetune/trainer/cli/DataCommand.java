package io.kubetune.trainer.cli;

import io.kubetune.api.DatasetSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.data.DatasetStats;
import io.kubetune.trainer.data.EncodedSample;
import io.kubetune.trainer.data.LoadedDataset;
import io.kubetune.trainer.data.PackingStats;
import io.kubetune.trainer.data.TrainingData;
import io.kubetune.trainer.run.TrainingRun;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loads, templates and tokenizes a job's datasets exactly as {@code kubetune train} does (the same
 * loader, tokenizer and batcher), then prints what training would see: per-dataset statistics, how
 * well the first epoch's rows are filled, the planned optimizer steps, and samples with their
 * trained tokens marked.
 */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = {
      "Check a job's datasets as training will read them: statistics (samples, tokens, trained"
          + " share, truncated samples, packing efficiency) and samples with the trained tokens"
          + " marked ([[...]], or green on a terminal).",
      "",
      "Needs only the model's tokenizer files; exit codes as for train (65: a malformed line)."
    })
final class DataCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "JOB_YAML",
      description = "The job spec (the training part of a FineTuneJob, or a whole FineTuneJob).")
  Path jobFile;

  @Option(
      names = {"-n", "--samples"},
      paramLabel = "N",
      defaultValue = "2",
      description = "Samples to show from each dataset (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(
      names = "--ids",
      description = "Also print each shown sample's input ids and labels (-100: not trained).")
  boolean ids;

  @Option(
      names = "--color",
      paramLabel = "WHEN",
      defaultValue = "auto",
      description = "Mark trained tokens in green: auto (on a terminal), always or never.")
  String color;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (samples < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--samples must be >= 0");
    }
    boolean green =
        switch (color) {
          case "always" -> true;
          case "never" -> false;
          case "auto" -> System.console() != null;
          default ->
              throw new CommandLine.ParameterException(
                  spec.commandLine(), "--color must be auto, always or never, got '" + color + "'");
        };
    ResolvedJob job =
        new JobSpecLoader(SourceResolver.fromEnvironment(System.getenv())).load(jobFile);
    TrainingJobSpec jobSpec = job.spec();
    PrintWriter out = spec.commandLine().getOut();
    try (Tokenizer tokenizer = Tokenizer.load(job.modelDir())) {
      TrainingData data = TrainingData.load(jobSpec, job.datasetFiles(), tokenizer);
      long tokens = 0;
      long trained = 0;
      long kept = 0;
      for (int i = 0; i < data.datasets().size(); i++) {
        LoadedDataset d = data.datasets().get(i);
        describe(out, i, jobSpec.datasets().get(i), d, jobSpec.training().maxLength());
        tokens += d.stats().tokens();
        trained += d.stats().lossTokens();
        kept += d.stats().samples();
      }
      out.printf(
          Locale.ROOT,
          "all datasets: %,d samples, %,d tokens, %,d trained (%.1f%%)%n",
          kept,
          tokens,
          trained,
          percent(trained, tokens));
      PackingStats packing = PackingStats.firstEpoch(data);
      out.printf(
          Locale.ROOT,
          "epoch 1: %,d micro-batches of up to %d x %d tokens, %,d rows; %s efficiency %.1f%% (%,d"
              + " of %,d token slots hold a token)%n",
          packing.batches(),
          jobSpec.training().microBatchSize(),
          jobSpec.training().maxLength(),
          packing.rows(),
          jobSpec.training().packing() ? "packing" : "padding",
          100 * packing.efficiency(),
          packing.tokens(),
          packing.slots());
      out.printf(
          Locale.ROOT,
          "optimizer steps: %,d (%s, gradient accumulation %d)%n",
          TrainingRun.totalSteps(jobSpec, data),
          jobSpec.training().maxSteps() != null
              ? "maxSteps"
              : jobSpec.training().epochs() + " epoch(s)",
          jobSpec.training().gradientAccumulation());
      for (int i = 0; i < data.datasets().size(); i++) {
        List<EncodedSample> shown =
            data.datasets().get(i).samples().stream().limit(samples).toList();
        for (int s = 0; s < shown.size(); s++) {
          EncodedSample sample = shown.get(s);
          out.printf(
              Locale.ROOT,
              "%n--- datasets[%d] sample %d: %d tokens, %d trained %s%n",
              i,
              s + 1,
              sample.length(),
              sample.lossTokens(),
              green ? "(trained in green)" : "(trained between [[ and ]])");
          out.println(LabelledText.render(sample, tokenizer, green));
          if (ids) {
            out.println("input_ids: " + java.util.Arrays.toString(sample.inputIds()));
            out.println("labels:    " + java.util.Arrays.toString(sample.labels()));
          }
        }
      }
    }
    out.flush();
    return TrainerExitCodes.SUCCESS;
  }

  private static void describe(
      PrintWriter out, int index, DatasetSpec dataset, LoadedDataset loaded, int maxLength) {
    DatasetStats s = loaded.stats();
    int longest = loaded.samples().stream().mapToInt(EncodedSample::length).max().orElse(0);
    out.printf(
        Locale.ROOT,
        "datasets[%d] %s (format %s%s)%n",
        index,
        s.source(),
        dataset.format().name().toLowerCase(Locale.ROOT),
        dataset.format() == DatasetSpec.Format.TEXT
            ? ""
            : ", template " + dataset.template().name().toLowerCase(Locale.ROOT));
    out.printf(
        Locale.ROOT,
        "  records %,d: samples %,d, malformed skipped %,d, without trained tokens dropped %,d%n",
        s.records(),
        s.samples(),
        s.invalid(),
        s.noLoss());
    out.printf(
        Locale.ROOT,
        "  tokens %,d, trained %,d (%.1f%%); per sample mean %.1f, max %d; truncated to %d:"
            + " %,d sample(s)%n",
        s.tokens(),
        s.lossTokens(),
        percent(s.lossTokens(), s.tokens()),
        s.samples() == 0 ? 0.0 : (double) s.tokens() / s.samples(),
        longest,
        maxLength,
        s.truncated());
    for (String example : s.invalidExamples()) {
      out.println("  skipped: " + example);
    }
  }

  private static double percent(long part, long whole) {
    return whole == 0 ? 0 : 100.0 * part / whole;
  }
}
