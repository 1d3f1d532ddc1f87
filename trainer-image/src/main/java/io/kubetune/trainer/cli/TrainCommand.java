package io.kubetune.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.run.TrainingRun;
import io.kubetune.trainer.status.ConsoleProgress;
import io.kubetune.trainer.status.StatusServer;
import io.kubetune.trainer.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs a training job spec. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Fine-tune a model as job.yaml says; resumes from the newest checkpoint in the output"
          + " folder, and exports hf/ and adapter/ at the end.",
      "",
      "Exit codes: 0 done; 64 usage, 65 bad data, 66 missing input, 78 bad config (permanent);"
          + " 75 retryable (lost peer, preemption), 74 I/O error (retried)."
    })
final class TrainCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "JOB_YAML",
      description = "The job spec (the training part of a FineTuneJob, or a whole FineTuneJob).")
  Path jobFile;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Output folder (default: the spec's output.path).")
  Path output;

  @Option(
      names = "--status-port",
      paramLabel = "N",
      description =
          "Serve /progress (JSON) and /metrics (Prometheus) on this port (default:"
              + " $KUBETUNE_STATUS_PORT; off when unset).")
  Integer statusPort;

  @Override
  public Integer call() throws Exception {
    ResolvedJob job =
        new JobSpecLoader(SourceResolver.fromEnvironment(System.getenv())).load(jobFile);
    Path out = OutputFolder.of(output, job, jobFile);
    DistributedEnvironment.requireSingleProcess(System.getenv());
    Integer port = statusPort != null ? statusPort : envPort();
    List<TrainingListener> listeners = new ArrayList<>();
    StatusServer status = port == null ? null : StatusServer.start(port);
    if (status != null) {
      listeners.add(status);
      System.err.println("kubetune train: status on :" + status.port() + " (/progress, /metrics)");
    }
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      TrainingRun.Outcome outcome =
          new TrainingRun(
                  job,
                  out,
                  listeners,
                  (total, start) ->
                      new ConsoleProgress(System.err, System.console() != null, total, start))
              .run(manager);
      System.out.println("merged model: " + outcome.export().hf());
      if (outcome.export().adapter() != null) {
        System.out.println("adapter:      " + outcome.export().adapter());
      }
      if (outcome.lossCurve() != null) {
        System.out.println("loss curve:   " + outcome.lossCurve());
      }
      return TrainerExitCodes.SUCCESS;
    } finally {
      if (status != null) {
        status.close();
      }
    }
  }

  private static Integer envPort() {
    String value = System.getenv("KUBETUNE_STATUS_PORT");
    return value == null || value.isBlank() ? null : Integer.valueOf(value.trim());
  }
}
