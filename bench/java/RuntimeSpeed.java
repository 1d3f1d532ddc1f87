import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.torch.Aten;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Prefill and decode tokens/s of the kubetune runtime with the same loop as
 * bench/transformers_speed.py: a prompt pass computing every position's logits, one computing the
 * last position's only (as generation does), then greedy single-token steps on the KV cache.
 * Prints prefill_last_tok_s, prefill_last_positions, prefill_all_tok_s, prefill_all_positions
 * (positions: read from the logits' shape) and decode_tok_s, medians of 3 runs after a warm-up.
 *
 * <p>usage: java -cp CP bench/java/RuntimeSpeed.java MODEL_DIR PROMPT_TOKENS NEW_TOKENS
 *
 * <p>Under bench/profile.sh (KUBETUNE_PROFILE_OUT set) async-profiler records the measured runs'
 * decode loops, or their last-position prefill passes with KUBETUNE_PROFILE_PHASE=prefill.
 */
public class RuntimeSpeed {
  private static final String[] KEYS = {
    "prefill_last_tok_s",
    "prefill_last_positions",
    "prefill_all_tok_s",
    "prefill_all_positions",
    "decode_tok_s"
  };

  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path dir = Path.of(args[0]);
    int promptLen = Integer.parseInt(args[1]);
    int newTokens = Integer.parseInt(args[2]);
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        LoadedModel loaded = ModelLoader.load(manager, dir, ModelLoader.Options.fp32())) {
      CausalLm model = loaded.model();
      Random random = new Random(0);
      long[] prompt = new long[promptLen];
      for (int i = 0; i < promptLen; i++) {
        prompt[i] = random.nextInt(model.config().vocabSize());
      }
      run(manager, model, prompt, newTokens); // warm-up
      double[][] runs = new double[3][];
      for (int i = 0; i < runs.length; i++) {
        runs[i] = run(manager, model, prompt, newTokens);
      }
      Profile.write();
      StringBuilder line = new StringBuilder();
      for (int k = 0; k < KEYS.length; k++) {
        line.append(String.format(Locale.ROOT, "%s%s=%.1f", k == 0 ? "" : " ", KEYS[k], median(runs, k)));
      }
      System.out.println(line);
    }
  }

  static double[] run(NDManager manager, CausalLm model, long[] prompt, int newTokens) {
    return Aten.noGrad(
        () -> {
          int capacity = prompt.length + newTokens + 1;
          long t0 = System.nanoTime();
          long allPositions;
          try (KvCache cache =
                  new KvCache(manager, model.config(), 1, capacity, model.computeDtype());
              NDScope scope = new NDScope()) {
            allPositions = logits(manager, model, prompt, 0, cache, false).getShape().get(1);
            scope.suppressNotUsedWarning();
          }
          long t1 = System.nanoTime();
          try (KvCache cache =
              new KvCache(manager, model.config(), 1, capacity, model.computeDtype())) {
            Profile.during("prefill", true);
            long t2 = System.nanoTime();
            long lastPositions;
            long token;
            try (NDScope scope = new NDScope()) {
              NDArray logits = logits(manager, model, prompt, 0, cache, true);
              lastPositions = logits.getShape().get(1);
              token = logits.argMax().getLong();
              scope.suppressNotUsedWarning();
            }
            long t3 = System.nanoTime();
            Profile.during("prefill", false);
            Profile.during("decode", true);
            for (int i = 0; i < newTokens; i++) {
              try (NDScope scope = new NDScope()) {
                token =
                    logits(manager, model, new long[] {token}, prompt.length + i, cache, true)
                        .argMax()
                        .getLong();
                scope.suppressNotUsedWarning();
              }
            }
            long t4 = System.nanoTime();
            Profile.during("decode", false);
            return new double[] {
              prompt.length / ((t3 - t2) / 1e9),
              lastPositions,
              prompt.length / ((t1 - t0) / 1e9),
              allPositions,
              newTokens / ((t4 - t3) / 1e9)
            };
          }
        });
  }

  /** Logits [1, positions, vocab] of ids at start: of the last position only, or of all. */
  static NDArray logits(
      NDManager manager, CausalLm model, long[] ids, int start, KvCache cache, boolean lastOnly) {
    NDArray hidden =
        model.hiddenCached(manager.create(ids, new Shape(1, ids.length)), new long[] {start}, cache, 0);
    return model.logits(lastOnly ? Aten.narrow(hidden, 1, ids.length - 1, 1) : hidden);
  }

  /**
   * The profilers of bench/profile.sh around the phase KUBETUNE_PROFILE_PHASE of each measured run
   * (the warm-up run is not recorded); a no-op when KUBETUNE_PROFILE_OUT is not set. With
   * KUBETUNE_PROFILE_TOOL=torch, libtorch's own profiler (through DJL) writes a Chrome trace of
   * every ATen op; otherwise async-profiler, driven through its Java API by reflection (the script
   * puts its jar on the class path and names its library), samples stacks.
   */
  static final class Profile {
    private static final String OUT = System.getenv("KUBETUNE_PROFILE_OUT");
    private static final String PHASE = System.getenv().getOrDefault("KUBETUNE_PROFILE_PHASE", "decode");
    private static final boolean TORCH = "torch".equals(System.getenv("KUBETUNE_PROFILE_TOOL"));
    private static int warmUps = 1;
    private static boolean started;

    static void during(String phase, boolean begin) {
      if (OUT == null || !phase.equals(PHASE)) {
        return;
      }
      if (!begin && warmUps > 0) {
        warmUps--;
        return;
      }
      if (warmUps > 0 || (TORCH && started)) {
        return; // libtorch's profiler records the first measured run only
      }
      if (TORCH) {
        if (begin) {
          ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
        } else {
          ai.djl.pytorch.jni.JniUtils.stopProfile(OUT);
          started = true;
        }
        return;
      }
      asyncProfiler((begin ? (started ? "resume" : "start") : "stop") + "," + System.getenv("KUBETUNE_PROFILE_ARGS"));
      started = true;
    }

    static void write() {
      if (OUT != null && !TORCH) {
        asyncProfiler("dump,collapsed,file=" + OUT);
      }
    }

    private static void asyncProfiler(String command) {
      try {
        Class<?> c = Class.forName("one.profiler.AsyncProfiler");
        Object profiler = c.getMethod("getInstance", String.class).invoke(null, System.getenv("KUBETUNE_PROFILE_LIB"));
        c.getMethod("execute", String.class).invoke(profiler, command);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("async-profiler: " + command, e);
      }
    }
  }

  static double median(double[][] runs, int column) {
    double[] v = Arrays.stream(runs).mapToDouble(r -> r[column]).sorted().toArray();
    return v[v.length / 2];
  }
}
