package io.kubetune.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.run.LlavaDemo;
import io.kubetune.trainer.status.ConsoleProgress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kubetune llava-demo}: the LLaVA demo (see {@link LlavaDemo}). */
@Command(
    name = "llava-demo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Train a tiny LLaVA on generated pictures of coloured shapes (pretrain, then finetune) and"
            + " print its accuracy on held-out pictures before and after.")
public final class LlavaDemoCommand implements Callable<Integer> {
  @Option(
      names = "--output",
      paramLabel = "DIR",
      description =
          "Where to write the models, data, checkpoints and exports (default: ${DEFAULT-VALUE}).",
      defaultValue = "kubetune-llava-demo")
  Path output;

  @Override
  public Integer call() throws Exception {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      long start = System.nanoTime();
      LlavaDemo.Result r =
          LlavaDemo.run(
              manager,
              output.toAbsolutePath(),
              (total, first) ->
                  new ConsoleProgress(System.err, System.console() != null, total, first),
              System.err);
      System.out.printf(
          "held-out accuracy (%d questions about %d pictures): before %.1f%%, after %.1f%% (%.0f s)%n",
          r.questions(),
          r.questions() / 2,
          100 * r.before(),
          100 * r.after(),
          (System.nanoTime() - start) / 1e9);
      System.out.println(
          "chat with it: ./kubetune chat --model " + r.model() + " --image PICTURE.png");
      return 0;
    }
  }
}
