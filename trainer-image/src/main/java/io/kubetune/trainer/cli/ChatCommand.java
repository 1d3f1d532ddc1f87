package io.kubetune.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Chats with a model in the terminal. */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    description = {"Multi-turn chat in the terminal using the model's chat template."})
final class ChatCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF model dir.")
  Path model;

  @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter to apply.")
  Path adapter;

  @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
  String system;

  @Option(names = "--prompt", paramLabel = "TEXT", description = "Answer once and exit.")
  String prompt;

  @Override
  public Integer call() {
    throw NotImplemented.subcommand("chat");
  }
}
