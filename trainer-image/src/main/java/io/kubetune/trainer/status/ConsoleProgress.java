package io.kubetune.trainer.status;

import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.TrainingListener;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress for people: a progress bar with loss, learning rate, tokens/s and ETA on a terminal,
 * plain log lines otherwise (CI, kubectl logs).
 */
public final class ConsoleProgress implements TrainingListener, AutoCloseable {
  private final PrintStream out;
  private final boolean terminal;
  private final long logEvery;
  private ProgressBar bar;

  public ConsoleProgress(PrintStream out, boolean terminal, long totalSteps, long startStep) {
    this.out = out;
    this.terminal = terminal;
    this.logEvery = Math.max(1, totalSteps / 50);
    if (terminal) {
      bar =
          new ProgressBarBuilder()
              .setTaskName("train")
              .setInitialMax(totalSteps)
              .startsFrom(startStep, Duration.ZERO)
              .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
              .setUnit(" steps", 1)
              .showSpeed()
              .build();
    }
  }

  @Override
  public void onStep(CheckpointState.StepRecord record, TrainingProgress p) {
    String stats =
        String.format(
            "loss %.4f lr %.2e %.0f tok/s ETA %s",
            record.loss(),
            record.learningRate(),
            p.tokensPerSecond(),
            formatSeconds(p.estimatedRemainingSeconds()));
    if (bar != null) {
      bar.stepTo(p.step());
      bar.setExtraMessage(" " + stats);
    } else if (p.step() % logEvery == 0 || p.step() == p.totalSteps() || p.step() == 1) {
      out.printf("step %d/%d %s%n", p.step(), p.totalSteps(), stats);
    }
  }

  @Override
  public void onEvaluation(long step, String prompt, String reply) {
    println("eval @ step " + step + ": " + prompt + " -> " + reply.replace("\n", "\\n"));
  }

  private void println(String line) {
    if (terminal && bar != null) {
      // keep the bar on its own line: print above it
      out.print("\r\033[2K");
    }
    out.println(line);
  }

  static String formatSeconds(long s) {
    return s >= 3600
        ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
        : String.format("%dm%02ds", s / 60, s % 60);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
