import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.training.GradientCollector;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Image smoke check (deploy/image/smoke.sh), not product code: proves that the natives baked into
 * the trainer image load with no extraction and no network, under a read-only root filesystem.
 * libtorch through DJL (a tensor op and a gradient), libtorch's C shim through JNA (what the
 * trainer's dispatcher bridge does), and the HF tokenizers library. Compiled on the host with
 * javac (the image has a JRE only) and run with the image's java. Exit 0 when all is well.
 *
 * <p>Arguments: [tokenizer.json]
 */
public final class TorchCheck {
  public static void main(String[] args) throws Exception {
    Engine engine = Engine.getEngine("PyTorch");
    String libDir = LibUtils.getLibtorchPath();
    System.out.println("engine " + engine.getEngineName() + " libtorch " + engine.getVersion());
    System.out.println("libtorch loaded from " + libDir);

    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray a = nd.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
      float[] prod = a.matMul(a).toFloatArray();
      System.out.println("matmul " + Arrays.toString(prod));
      check(Arrays.equals(prod, new float[] {7, 10, 15, 22}), "matmul result");

      NDArray x = nd.create(new float[] {1, 2, 3});
      x.setRequiresGradient(true);
      try (GradientCollector gc = engine.newGradientCollector()) {
        gc.backward(x.mul(x).sum()); // d/dx sum(x^2) = 2x
      }
      float[] grad = x.getGradient().toFloatArray();
      System.out.println("grad " + Arrays.toString(grad));
      check(Arrays.equals(grad, new float[] {2, 4, 6}), "gradient");
    }

    // JNA, as the trainer's dispatcher bridge binds libtorch's stable C interface
    NativeLibrary torchCpu = NativeLibrary.getInstance(Path.of(libDir, "libtorch_cpu.so").toString());
    int gradMode = torchCpu.getFunction("aoti_torch_grad_mode_is_enabled").invokeInt(new Object[0]);
    System.out.println(
        "jna " + System.getProperty("jnidispatch.path") + " aoti_torch_grad_mode_is_enabled=" + gradMode);

    if (args.length > 0) {
      try (HuggingFaceTokenizer tok =
          HuggingFaceTokenizer.builder().optTokenizerPath(Path.of(args[0])).build()) {
        Encoding enc = tok.encode("Hello from a read-only container");
        System.out.println("tokenizer ids " + Arrays.toString(enc.getIds()));
        check(enc.getIds().length > 1, "tokenizer output");
      }
    }

    // DJL's cache dir must have stayed empty: nothing extracted at run time
    Path cache = Path.of(System.getenv().getOrDefault("DJL_CACHE_DIR", "/tmp/djl"));
    if (Files.exists(cache)) {
      try (Stream<Path> s = Files.walk(cache)) {
        s.forEach(p -> System.out.println("written at run time: " + p));
      }
      check(false, "nothing written to " + cache);
    }
    System.out.println("TORCH CHECK OK");
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      System.out.println("TORCH CHECK FAILED: " + what);
      System.exit(1);
    }
  }
}
