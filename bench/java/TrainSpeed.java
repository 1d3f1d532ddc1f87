import ai.djl.ndarray.NDManager;
import io.kubetune.api.CheckpointSpec;
import io.kubetune.api.DatasetSpec;
import io.kubetune.api.LoraSpec;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.api.OutputSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingSpec;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.api.TrainingProgress;
import io.kubetune.trainer.train.TrainingListener;
import io.kubetune.trainer.run.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Training tokens/s and peak RSS of kubetune's loop with the settings of
 * bench/pytorch_train_speed.py (packing 256, micro-batch 4, AdamW, clip 1, LoRA r 16 on all
 * linear layers, or full), on DATA (a file in OUT_DIR): data.jsonl (short samples, packed several
 * to a row with per-sample attention, rows end in padding) or data_rows.jsonl (each sample longer
 * than a row: cut to 256, one full row each). Prints tokens_per_s (real tokens, padding not
 * counted), peak_rss_mb and tokens_per_step.
 *
 * <p>usage: java -cp CP bench/java/TrainSpeed.java OUT_DIR lora|full STEPS DATA
 */
public class TrainSpeed {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path out = Path.of(args[0]).toAbsolutePath();
    boolean lora = args[1].equals("lora");
    int steps = Integer.parseInt(args[2]);
    Path data = out.resolve(args[3]);
    Path run = Files.createTempDirectory("kubetune-train-bench");
    TrainingJobSpec spec =
        new TrainingJobSpec(
            new ModelSource("file://" + out.resolve("model"), null),
            List.of(
                new DatasetSpec(
                    "file://" + data, DatasetSpec.Format.TEXT, null, null, null)),
            new MethodSpec(
                lora ? MethodSpec.Type.LORA : MethodSpec.Type.FULL,
                lora ? new LoraSpec(16, 32, 0.0, null) : null),
            new TrainingSpec(
                null, steps, 4, 1, 1e-4, 0.0, TrainingSpec.Schedule.CONSTANT, 0.0, 1.0, 256, true,
                42L, TrainingSpec.Precision.FP32),
            new CheckpointSpec(0, 1),
            null,
            new OutputSpec("file://" + run),
            null);
    long[] timed = new long[3]; // nanos, tokens, steps
    long[] last = {0};
    TrainingListener clock =
        new TrainingListener() {
          @Override
          public void onStep(CheckpointState.StepRecord record, TrainingProgress progress) {
            long now = System.nanoTime();
            if (record.step() > 3) {
              timed[0] += now - last[0];
              timed[1] += record.tokens();
              timed[2]++;
            }
            last[0] = now;
          }

          @Override
          public void onProgress(TrainingProgress p) {
            if (p.phase() == TrainingProgress.Phase.TRAINING && p.step() == 0) {
              last[0] = System.nanoTime();
            }
          }
        };
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      ResolvedJob job =
          new ResolvedJob(spec, out.resolve("model"), List.of(data), Optional.of(run));
      new TrainingRun(job, run, List.of(clock), (t, s) -> new TrainingListener() {}).run(manager);
    }
    long peak = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        peak = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "tokens_per_s=%.1f peak_rss_mb=%d tokens_per_step=%.1f%n",
        timed[1] / (timed[0] / 1e9),
        peak,
        (double) timed[1] / timed[2]);
  }
}
