import io.kubetune.trainer.quickstart.TinyBaseModel;
import java.nio.file.Path;

/**
 * Test support for the real-pod tier (run.sh), not product code: writes what `kubetune
 * quickstart` trains on, the tiny Qwen2-shaped base model (seed 42, as the quickstart's) and the
 * bundled self-cognition dataset, into a folder, with the trainer's own code. It runs in a pod
 * from the trainer image with a volume mounted, so that a FineTuneJob can read both through
 * pvc://. The image has a JRE only: run.sh compiles this on the host against the image's jars.
 *
 * <p>Arguments: DIR (base-model/ and data/identity.jsonl are written there)
 */
public final class QuickstartData {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    TinyBaseModel.writeIfAbsent(dir.resolve("base-model"), 42);
    Path data = TinyBaseModel.copyResource("identity.jsonl", dir.resolve("data"));
    System.out.println("QUICKSTART DATA OK " + dir.resolve("base-model") + " " + data);
  }
}
