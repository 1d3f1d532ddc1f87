package io.kubetune.trainer.cli;

import io.kubetune.api.TrainerExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kubetune} command: train, export, serve and chat with Llama-family models. */
@Command(
    name = "kubetune",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Fine-tune and serve Llama-family language models, locally or on Kubernetes.",
    subcommands = {
      QuickstartCommand.class,
      InitCommand.class,
      LlavaDemoCommand.class,
      TrainCommand.class,
      DataCommand.class,
      ExportCommand.class,
      ServeCommand.class,
      ChatCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Kubetune implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** The command line with kubetune's exit-code conventions (sysexits, see TrainerExitCodes). */
  public static CommandLine commandLine() {
    return new CommandLine(new Kubetune())
        .setExitCodeExceptionMapper(ExitCodes::forException)
        .setExecutionExceptionHandler(ExitCodes::handleExecutionException)
        .setParameterExceptionHandler(
            (ex, args) -> {
              CommandLine cmd = ex.getCommandLine();
              cmd.getErr().println("kubetune: " + ex.getMessage());
              CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr());
              cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
              return TrainerExitCodes.USAGE;
            });
  }

  public static void main(String[] args) {
    // libtorch comes from the classpath; DJL must never try to download an engine
    System.setProperty("ai.djl.offline", "true");
    System.exit(commandLine().execute(args));
  }
}
