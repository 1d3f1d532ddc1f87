package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
  void versionNamesTheReleaseAndWhatItRunsOn() {
    assertThat(run("-V")).isZero();
    // from target/classes there is no manifest; the packaged jar prints its version (./kubetune -V)
    assertThat(out.toString()).startsWith("kubetune ").contains("DJL 0.36.0, Java ");
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

  @Test
  void serveNamesAModelFolderThatDoesNotExistBeforeListening() {
    assertThat(run("serve", "--model", "no/such/model", "--port", "0")).isEqualTo(66);
    assertThat(err.toString())
        .contains("kubetune serve: --model no/such/model: no such folder")
        .doesNotContain("listening", "tokenizer.json");
  }

  @Test
  void chatSaysWhatIsWrongWithTheModelAndAdapterFolders(@TempDir Path dir) throws Exception {
    assertThat(run("chat", "--model", "no/such/model")).isEqualTo(66);
    assertThat(err.toString()).contains("kubetune chat: --model no/such/model: no such folder");

    err.getBuffer().setLength(0);
    assertThat(run("chat", "--model", dir.toString())).isEqualTo(66);
    assertThat(err.toString()).contains("not a HuggingFace model folder (no config.json in it)");

    err.getBuffer().setLength(0);
    Files.writeString(dir.resolve("config.json"), "{}");
    assertThat(run("chat", "--model", dir.toString(), "--adapter", dir.resolve("a").toString()))
        .isEqualTo(66);
    assertThat(err.toString()).contains("--adapter " + dir.resolve("a") + ": no such folder");
  }

  @Test
  void chatImageNeedsALlavaAndAReadablePicture(@TempDir Path dir) throws Exception {
    Path llava = Path.of("src/test/resources/fixtures/llava/model");
    Path picture = Path.of("src/test/resources/fixtures/llava/images/a.png");
    Path qwen2 = Path.of("src/test/resources/fixtures/models/qwen2");
    assertThat(run("chat", "--model", qwen2.toString(), "--image", picture.toString()))
        .isEqualTo(64);
    assertThat(err.toString()).contains("--image: " + qwen2 + " is a text model");

    err.getBuffer().setLength(0);
    assertThat(run("chat", "--model", llava.toString(), "--image", "no/such.png")).isEqualTo(66);
    assertThat(err.toString()).contains("--image: no such file: no/such.png");

    err.getBuffer().setLength(0);
    Path notes = Files.writeString(dir.resolve("notes.png"), "not a picture");
    assertThat(run("chat", "--model", llava.toString(), "--image", notes.toString())).isEqualTo(65);
    assertThat(err.toString()).contains(": not an image in a format kubetune reads");
  }
}
