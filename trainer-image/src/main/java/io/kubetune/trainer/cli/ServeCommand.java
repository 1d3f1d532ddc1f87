package io.kubetune.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Serves a model over an OpenAI-compatible HTTP API with a web chat page. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a model: /v1/chat/completions (with streaming), /v1/completions, /v1/models,"
          + " a web chat page at /, /metrics and /health."
    })
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF model dir.")
  Path model;

  @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter to apply.")
  Path adapter;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "8000",
      description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() {
    throw NotImplemented.subcommand("serve");
  }
}
