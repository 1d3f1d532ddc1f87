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
import java.util.Random;

/**
 * Prefill and decode tokens/s of the kubetune runtime with the same loop as
 * bench/transformers_speed.py: one prompt pass, then greedy single-token steps on the KV cache.
 *
 * <p>usage: java -cp CP bench/java/RuntimeSpeed.java MODEL_DIR PROMPT_TOKENS NEW_TOKENS
 */
public class RuntimeSpeed {
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
      System.out.printf(
          "prefill_tok_s=%.1f decode_tok_s=%.1f%n", median(runs, 0), median(runs, 1));
    }
  }

  static double[] run(NDManager manager, CausalLm model, long[] prompt, int newTokens) {
    return Aten.noGrad(
        () -> {
          try (KvCache cache =
              new KvCache(manager, model.config(), 1, prompt.length + newTokens + 1, model.computeDtype())) {
            long t0 = System.nanoTime();
            long token = step(manager, model, prompt, 0, cache);
            long t1 = System.nanoTime();
            for (int i = 0; i < newTokens; i++) {
              token = step(manager, model, new long[] {token}, prompt.length + i, cache);
            }
            long t2 = System.nanoTime();
            return new double[] {prompt.length / ((t1 - t0) / 1e9), newTokens / ((t2 - t1) / 1e9)};
          }
        });
  }

  static long step(NDManager manager, CausalLm model, long[] ids, int start, KvCache cache) {
    try (NDScope scope = new NDScope()) {
      NDArray hidden =
          model.hiddenCached(manager.create(ids, new Shape(1, ids.length)), new long[] {start}, cache, 0);
      NDArray last = Aten.narrow(hidden, 1, ids.length - 1, 1);
      long next = model.logits(last).argMax().getLong();
      scope.suppressNotUsedWarning();
      return next;
    }
  }

  static double median(double[][] runs, int column) {
    double[] v = Arrays.stream(runs).mapToDouble(r -> r[column]).sorted().toArray();
    return v[v.length / 2];
  }
}
