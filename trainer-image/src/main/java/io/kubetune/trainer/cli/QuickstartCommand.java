package io.kubetune.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Override
  public Integer call() {
    throw NotImplemented.subcommand("quickstart");
  }
}
