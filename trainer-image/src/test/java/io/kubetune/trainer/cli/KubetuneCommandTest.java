package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KubetuneCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Kubetune.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  @Test
  void helpListsEverySubcommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("quickstart", "train", "export", "serve", "chat");
  }

  @Test
  void eachSubcommandHasHelp() {
    for (String sub : new String[] {"quickstart", "train", "export", "serve", "chat"}) {
      out.getBuffer().setLength(0);
      assertThat(run(sub, "--help")).as(sub).isZero();
      assertThat(out.toString()).as(sub).contains("Usage: kubetune " + sub);
    }
  }

  @Test
  void unknownOptionIsAUsageErrorWithASuggestion() {
    assertThat(run("train", "-f", "job.yaml", "--fiel")).isEqualTo(64);
    assertThat(err.toString()).contains("Unknown option: '--fiel'");
  }

  @Test
  void noSubcommandIsAUsageError() {
    assertThat(run()).isEqualTo(64);
    assertThat(err.toString()).contains("a subcommand is required");
  }
}
