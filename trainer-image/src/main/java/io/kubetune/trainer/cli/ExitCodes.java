package io.kubetune.trainer.cli;

import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.io.JsonFiles;
import io.kubetune.trainer.model.ModelConfigException;
import io.kubetune.trainer.peft.AdapterFormatException;
import io.kubetune.trainer.tokenizer.TokenizerFormatException;
import io.kubetune.trainer.weights.SafetensorsFormatException;
import io.kubetune.trainer.weights.TorchBinFormatException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/** Maps failures to the documented exit codes and prints one clear line for each. */
final class ExitCodes {
  private ExitCodes() {}

  static int forException(Throwable t) {
    if (t instanceof KubetuneException k) {
      return k.exitCode();
    }
    if (t instanceof io.kubetune.trainer.dist.CollectiveException) {
      return TrainerExitCodes.RETRYABLE;
    }
    if (t instanceof NoSuchFileException) {
      return TrainerExitCodes.NO_INPUT;
    }
    if (t instanceof ModelConfigException) {
      return TrainerExitCodes.CONFIG_ERROR;
    }
    if (t instanceof SafetensorsFormatException
        || t instanceof TorchBinFormatException
        || t instanceof TokenizerFormatException
        || t instanceof AdapterFormatException
        || t instanceof JsonFiles.InvalidJsonException) {
      return TrainerExitCodes.DATA_ERROR;
    }
    if (t instanceof IOException) {
      return TrainerExitCodes.IO_ERROR;
    }
    return 1;
  }

  static int handleExecutionException(
      Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
    int code = forException(ex);
    if (code == 1) {
      cmd.getErr()
          .println(
              "kubetune "
                  + cmd.getCommandName()
                  + ": internal error, a bug in kubetune (please report it with this trace): "
                  + ex);
      ex.printStackTrace(cmd.getErr());
    } else {
      cmd.getErr().println("kubetune " + cmd.getCommandName() + ": " + message(ex));
    }
    cmd.getErr().flush();
    return code;
  }

  private static String message(Exception ex) {
    if (ex instanceof NoSuchFileException n) {
      return n.getMessage().contains(":") ? n.getMessage() : "no such file: " + n.getMessage();
    }
    return ex.getMessage();
  }
}
