package io.kubetune.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.dist.Collectives;
import io.kubetune.trainer.dist.Rendezvous;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.run.TrainingRun;
import io.kubetune.trainer.status.ConsoleProgress;
import io.kubetune.trainer.status.StatusServer;
import io.kubetune.trainer.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  @Option(
      names = "--nproc",
      paramLabel = "N",
      description =
          "Start N ranks on this machine, as torchrun --standalone does (default:"
              + " $KUBETUNE_NPROC_PER_NODE, else 1): their log lines carry their rank, and all"
              + " stop when one fails. With --status-port P, rank i serves on P + i.")
  Integer nproc;

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    int perNode = nproc != null ? nproc : DistributedEnvironment.perNode(env);
    if (perNode < 1) {
      throw new KubetuneException(TrainerExitCodes.USAGE, "--nproc must be at least 1");
    }
    if (perNode > 1 && !env.containsKey("RANK")) {
      ResolvedJob job = new JobSpecLoader(SourceResolver.fromEnvironment(env)).load(jobFile);
      OutputFolder.of(output, job, jobFile); // a bad spec fails here, once, not in every rank
      return new LocalLauncher(System.out)
          .run(LocalLauncher.node(env, perNode), rankArguments(), statusPort);
    }
    Rendezvous rendezvous = DistributedEnvironment.rendezvous(env);
    ResolvedJob job = new JobSpecLoader(SourceResolver.fromEnvironment(env)).load(jobFile);
    Path out = OutputFolder.of(output, job, jobFile);
    Integer port = statusPort != null ? statusPort : envPort();
    List<TrainingListener> listeners = new ArrayList<>();
    StatusServer status = port == null ? null : StatusServer.start(port);
    if (status != null) {
      listeners.add(status);
      System.err.println("kubetune train: status on :" + status.port() + " (/progress, /metrics)");
    }
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        Collectives group = DistributedEnvironment.join(rendezvous, job.spec().distributed())) {
      boolean console = System.console() != null && group.world() == 1;
      // progress lines come from rank 0; every rank's own figures are on its status port
      TrainingRun.ListenerFactory display =
          group.rank() == 0
              ? (total, start) -> new ConsoleProgress(System.err, console, total, start)
              : (total, start) -> new TrainingListener() {};
      TrainingRun.Outcome outcome =
          new TrainingRun(job, out, listeners, display, group).run(manager);
      group.finish();
      if (group.rank() != 0) {
        return TrainerExitCodes.SUCCESS;
      }
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

  /** This command's arguments for one rank: the same, less --nproc. */
  private List<String> rankArguments() {
    List<String> args = new ArrayList<>(List.of("-f", jobFile.toString()));
    if (output != null) {
      args.addAll(List.of("--output", output.toString()));
    }
    return args;
  }

  private static Integer envPort() {
    String value = System.getenv("KUBETUNE_STATUS_PORT");
    return value == null || value.isBlank() ? null : Integer.valueOf(value.trim());
  }
}
