package io.kubetune.trainer.cli;

import picocli.CommandLine;

/** Maps failures to the documented exit codes and prints one clear line for each. */
final class ExitCodes {
  /** A subcommand that this build does not implement yet (sysexits EX_UNAVAILABLE). */
  static final int NOT_IMPLEMENTED = 69;

  private ExitCodes() {}

  static int forException(Throwable t) {
    if (t instanceof KubetuneException k) {
      return k.exitCode();
    }
    return 1;
  }

  static int handleExecutionException(
      Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
    if (ex instanceof KubetuneException k) {
      cmd.getErr().println("kubetune " + cmd.getCommandName() + ": " + k.getMessage());
      return k.exitCode();
    }
    throw new IllegalStateException(ex);
  }
}
