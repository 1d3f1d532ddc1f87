package io.kubetune.trainer.cli;

import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.presets.Preset;
import io.kubetune.trainer.presets.Presets;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints a ready FineTuneJob for a common recipe. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Print a ready FineTuneJob for a common recipe (kubectl apply -f and kubetune train -f both"
          + " take it); --list shows the recipes.",
      "",
      "  kubetune init --list",
      "  kubetune init qwen2-lora-chats > job.yaml"
    })
final class InitCommand implements Callable<Integer> {
  @Option(names = "--list", description = "List the presets with what each does.")
  boolean list;

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "The preset to print.")
  String name;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<Preset> presets = Presets.all();
    if (list || name == null) {
      int width = presets.stream().mapToInt(p -> p.name().length()).max().orElse(0);
      for (Preset p : presets) {
        out.printf("%-" + width + "s  %s%n", p.name(), p.summary());
      }
      out.flush();
      if (!list) {
        spec.commandLine().getErr().println("kubetune init: give a NAME from the list above");
        return TrainerExitCodes.USAGE;
      }
      return TrainerExitCodes.SUCCESS;
    }
    return Presets.named(name)
        .map(
            p -> {
              out.print(p.yaml());
              out.flush();
              return TrainerExitCodes.SUCCESS;
            })
        .orElseGet(
            () -> {
              spec.commandLine()
                  .getErr()
                  .println(
                      "kubetune init: no preset '"
                          + name
                          + "'; presets: "
                          + String.join(", ", presets.stream().map(Preset::name).toList()));
              return TrainerExitCodes.USAGE;
            });
  }
}
