package io.kubetune.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.chat.ChatSession;
import io.kubetune.trainer.chat.LoadedChatModel;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.quickstart.QuickstartJob;
import io.kubetune.trainer.quickstart.TinyBaseModel;
import io.kubetune.trainer.run.TrainingRun;
import io.kubetune.trainer.status.ConsoleProgress;
import io.kubetune.trainer.torch.Dtype;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Fine-tunes a small model on the bundled identity dataset, exports it and opens a chat. */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Create a tiny Llama-family model (or use --model), fine-tune it with LoRA on the bundled"
          + " self-cognition dataset, export it and open a chat. No cluster needed."
    })
final class QuickstartCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "DIR", description = "Use this HF model directory.")
  Path model;

  @Option(names = "--prompt", paramLabel = "TEXT", description = "Answer once and exit.")
  String prompt;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Where to write checkpoints and the export (default: ${DEFAULT-VALUE}).",
      defaultValue = "kubetune-quickstart")
  Path output;

  @Mixin SamplingOptions sampling;

  @Override
  public Integer call() throws Exception {
    Path out = output.toAbsolutePath();
    boolean tiny = model == null;
    if (!tiny) {
      ModelFolder.requireModel("--model", model);
    }
    Path base = tiny ? out.resolve("base-model") : model.toAbsolutePath();
    if (tiny) {
      System.err.println("kubetune quickstart: writing a tiny random base model to " + base);
      TinyBaseModel.writeIfAbsent(base, 42);
    }
    Path data = TinyBaseModel.copyResource("identity.jsonl", out.resolve("data"));
    Path run = out.resolve("run");
    TrainingJobSpec spec = QuickstartJob.spec(base, data, run, tiny);
    System.err.println(
        "kubetune quickstart: LoRA fine-tuning on the bundled self-cognition dataset ("
            + spec.training().maxSteps()
            + " steps), output in "
            + run);
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      ResolvedJob job = new ResolvedJob(spec, base, List.of(data), Optional.of(run));
      TrainingRun.Outcome outcome =
          new TrainingRun(
                  job,
                  run,
                  List.of(),
                  (total, start) ->
                      new ConsoleProgress(System.err, System.console() != null, total, start))
              .run(manager);
      Path merged = outcome.export().hf();
      System.err.println(
          "kubetune quickstart: exported " + merged + " and " + outcome.export().adapter());
      try (LoadedChatModel chat = LoadedChatModel.load(manager, merged, null, Dtype.F32)) {
        ChatSession session =
            new ChatSession(chat.chat(), sampling.params(chat.defaults()), null, System.out);
        if (prompt != null) {
          session.ask(prompt);
          return 0;
        }
        System.err.println(
            "kubetune quickstart: chat with the fine-tuned model (try \""
                + QuickstartJob.PROMPT
                + "\"; /exit to leave). Later: ./kubetune chat --model "
                + merged);
        session.loop(
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
            System.console() != null);
      }
      return 0;
    }
  }
}
