package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.presets.Presets;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InitCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Kubetune.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void listsEveryPresetWithItsSummary() {
    assertThat(run("init", "--list")).isZero();
    assertThat(out.toString().lines())
        .hasSize(Presets.all().size())
        .anySatisfy(l -> assertThat(l).startsWith("qwen2-lora-chats").contains("OpenAI-format"));
  }

  @Test
  void printsThePresetAsItIs() {
    assertThat(run("init", "pretrain-text")).isZero();
    assertThat(out.toString()).isEqualTo(Presets.named("pretrain-text").orElseThrow().yaml());
  }

  @Test
  void anUnknownNameIsAUsageErrorThatListsTheNames() {
    assertThat(run("init", "qwen3")).isEqualTo(64);
    assertThat(err.toString()).contains("no preset 'qwen3'").contains("qwen2-lora-chats");
    assertThat(run("init")).isEqualTo(64);
  }
}
