import ai.djl.ndarray.NDManager;
import io.kubetune.api.CheckpointSpec;
import io.kubetune.api.DatasetSpec;
import io.kubetune.api.DistributedSpec;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.api.OutputSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingProgress;
import io.kubetune.api.TrainingSpec;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.dist.C10dGroup;
import io.kubetune.trainer.dist.Rendezvous;
import io.kubetune.trainer.io.ProcessMemory;
import io.kubetune.trainer.run.TrainingRun;
import io.kubetune.trainer.train.CheckpointState;
import io.kubetune.trainer.train.TrainingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One rank of a data-parallel full fine-tuning run (bench/ddp_vs_pytorch.sh): the model and data of
 * bench/make_train_bench.py, packed rows of 256 x micro-batch 4 per rank, AdamW, clipping at 1,
 * at the given ZeRO stage. Joins from torchrun's variables; prints the job's tokens/s over the
 * steps after 3 warm-up steps and this rank's peak RSS.
 *
 * <p>usage: java -cp CP bench/java/DistTrainSpeed.java OUT_DIR STAGE STEPS
 */
public class DistTrainSpeed {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path out = Path.of(args[0]);
    int stage = Integer.parseInt(args[1]);
    int steps = Integer.parseInt(args[2]);
    Rendezvous r = Rendezvous.fromEnvironment(System.getenv());
    // one output folder for both ranks: each writes its checkpoint shard there (as on a shared volume)
    Path run = out.resolve("dist-run-s" + stage);
    TrainingJobSpec spec =
        new TrainingJobSpec(
            new ModelSource("file://" + out.resolve("model"), null),
            List.of(
                new DatasetSpec(
                    "file://" + out.resolve("data.jsonl"), DatasetSpec.Format.TEXT, null, null, null)),
            new MethodSpec(MethodSpec.Type.FULL, null),
            new TrainingSpec(
                null, steps, 4, 1, 1e-4, 0.0, TrainingSpec.Schedule.CONSTANT, 0.0, 1.0, 256, true,
                42L, TrainingSpec.Precision.FP32),
            new CheckpointSpec(0, 1),
            null,
            new OutputSpec("file://" + run),
            new DistributedSpec(stage, 600, 600));
    long[] timed = new long[2]; // nanos, tokens
    long[] last = {0};
    TrainingListener clock =
        new TrainingListener() {
          @Override
          public void onStep(CheckpointState.StepRecord record, TrainingProgress progress) {
            long now = System.nanoTime();
            if (record.step() > 3) {
              timed[0] += now - last[0];
              timed[1] += record.tokens();
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
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        C10dGroup group =
            C10dGroup.join(
                r, Duration.ofSeconds(600), Duration.ofSeconds(600), () -> Runtime.getRuntime().halt(75))) {
      ResolvedJob job =
          new ResolvedJob(spec, out.resolve("model"), List.of(out.resolve("data.jsonl")), Optional.of(run));
      new TrainingRun(job, run, List.of(clock), (t, s) -> new TrainingListener() {}, group)
          .run(manager);
      group.finish();
    }
    System.out.printf(
        "rank=%d tokens_per_s=%.1f peak_rss_mb=%d%n",
        r.rank(), timed[1] / (timed[0] / 1e9), ProcessMemory.peakRssBytes() >> 20);
  }
}
