import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.model.SdpaAttention;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Loads a bf16 model as the server does (weights kept in their stored dtype, so they alias the
 * memory-mapped files) and reports resident memory after loading and after one forward pass,
 * next to the size of the weights.
 *
 * <p>usage: java -cp CP bench/java/LoadRss.java MODEL_DIR
 */
public class LoadRss {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path dir = Path.of(args[0]);
    long weights;
    try (Stream<Path> files = Files.list(dir)) {
      weights =
          files
              .filter(p -> p.toString().endsWith(".safetensors") || p.toString().endsWith(".bin"))
              .mapToLong(LoadRss::size)
              .sum();
    }
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      manager.zeros(new Shape(1)).close(); // engine and libtorch loaded before the baseline
      long base = rss("VmRSS");
      long t0 = System.nanoTime();
      try (LoadedModel loaded =
          ModelLoader.load(
              manager, dir, new ModelLoader.Options(null, Dtype.BF16, new SdpaAttention()))) {
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        long afterLoad = rss("VmRSS");
        Aten.noGrad(
            () -> {
              NDArray ids = manager.arange(0, 16, 1, DataType.INT64).reshape(1, 16);
              NDArray pos = manager.arange(0, 16, 1, DataType.INT64).reshape(1, 16);
              return loaded.model().logits(loaded.model().hidden(ids, pos, AttentionMask.causal()));
            });
        long afterForward = rss("VmRSS");
        long peak = rss("VmHWM");
        System.out.printf(
            "weights_on_disk_GB=%.2f load_s=%.1f rss_baseline_GB=%.2f rss_after_load_GB=%.2f"
                + " rss_after_forward_GB=%.2f peak_rss_GB=%.2f peak_over_weights=%.2f%n",
            weights / 1e9,
            loadMs / 1e3,
            base / 1e9,
            afterLoad / 1e9,
            afterForward / 1e9,
            peak / 1e9,
            (double) peak / weights);
      }
    }
  }

  static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static long rss(String field) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException(field);
  }
}
