import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelConfig;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.model.SdpaAttention;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Memory of loading a bf16 model as the server does (weights kept in their stored dtype, so they
 * alias the memory-mapped safetensors files) and running one forward pass over TOKENS tokens.
 *
 * <p>How it is measured (Linux, /proc/self): the baseline is this process's resident set after the
 * JVM started and DJL loaded libtorch and made one tensor, before the model is opened. After the
 * forward pass: the resident set over that baseline; the part of it that is pages of the weight
 * files (*.safetensors, or pytorch_model*.bin whose storages are mapped in place) mapped by this
 * process (the Rss of their mappings in /proc/self/smaps); the
 * anonymous memory over the baseline (RssAnon: copies, activations, Java heap growth); the peak
 * (VmHWM) over the baseline. They are set against the weights the forward pass actually reads:
 * every tensor but the rows of the input embedding that no token looked up (TOKENS distinct ids
 * here). A loader that copied the weights would show anonymous memory near their size; one that
 * read all of them (e.g. the whole embedding) would show mapped pages above the touched bytes.
 *
 * <p>usage: java -cp CP bench/java/LoadRss.java MODEL_DIR [TOKENS]
 */
public class LoadRss {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path dir = Path.of(args[0]);
    int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    long weights;
    try (Stream<Path> files = Files.list(dir)) {
      weights =
          files
              .filter(p -> p.toString().endsWith(".safetensors") || p.toString().endsWith(".bin"))
              .mapToLong(LoadRss::size)
              .sum();
    }
    ModelConfig config = ModelConfig.load(dir);
    // bf16: 2 bytes per element; the embedding rows the forward pass never looks up
    long untouchedEmbedding = (long) (config.vocabSize() - tokens) * config.hiddenSize() * 2;
    long touched = weights - untouchedEmbedding;
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      manager.zeros(new Shape(1)).close(); // engine and libtorch loaded before the baseline
      long base = status("VmRSS");
      long baseAnon = status("RssAnon");
      long t0 = System.nanoTime();
      try (LoadedModel loaded =
          ModelLoader.load(
              manager, dir, new ModelLoader.Options(null, Dtype.BF16, new SdpaAttention()))) {
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        long afterLoad = status("VmRSS");
        Aten.noGrad(
            () -> {
              // ids 0..TOKENS-1: TOKENS distinct embedding rows
              NDArray ids = manager.arange(0, tokens, 1, DataType.INT64).reshape(1, tokens);
              NDArray pos = manager.arange(0, tokens, 1, DataType.INT64).reshape(1, tokens);
              return loaded.model().logits(loaded.model().hidden(ids, pos, AttentionMask.causal()));
            });
        long afterForward = status("VmRSS");
        long anon = status("RssAnon") - baseAnon;
        long mapped = mappedWeightPages();
        long peak = status("VmHWM") - base;
        System.out.printf(
            Locale.ROOT,
            "weights_GB=%.2f touched_weights_GB=%.2f load_s=%.1f rss_baseline_GB=%.2f"
                + " rss_after_load_over_baseline_GB=%.2f rss_over_baseline_GB=%.2f"
                + " weight_pages_resident_GB=%.2f anon_over_baseline_GB=%.3f peak_over_baseline_GB=%.2f"
                + " rss_over_baseline_per_touched=%.2f weight_pages_per_touched=%.2f%n",
            weights / 1e9,
            touched / 1e9,
            loadMs / 1e3,
            base / 1e9,
            (afterLoad - base) / 1e9,
            (afterForward - base) / 1e9,
            mapped / 1e9,
            anon / 1e9,
            peak / 1e9,
            (double) (afterForward - base) / touched,
            (double) mapped / touched);
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

  /** A "Name: N kB" field of /proc/self/status, in bytes. */
  static long status(String field) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException(field);
  }

  /** Resident bytes of this process's mappings of weight files (/proc/self/smaps). */
  static long mappedWeightPages() throws Exception {
    long total = 0;
    boolean weights = false;
    for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
      if (Character.isDigit(line.charAt(0)) || line.charAt(0) >= 'a' && line.charAt(0) <= 'f') {
        // a mapping's header: "start-end perms offset dev inode [path]"
        String[] parts = line.trim().split("\\s+");
        String path = parts.length >= 6 ? parts[parts.length - 1] : "";
        weights = path.endsWith(".safetensors") || path.endsWith(".bin");
      } else if (weights && line.startsWith("Rss:")) {
        total += Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    return total;
  }
}
