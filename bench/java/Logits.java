import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.chat.LoadedChatModel;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.weights.SafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes our fp32 logits for one token sequence, for comparison with transformers/PEFT.
 *
 * <p>usage: java -cp CP bench/java/Logits.java MODEL_DIR ADAPTER_DIR|- OUT.safetensors ID...
 */
public class Logits {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path model = Path.of(args[0]);
    Path adapter = args[1].equals("-") ? null : Path.of(args[1]);
    Path out = Path.of(args[2]);
    long[] ids = Arrays.stream(args, 3, args.length).mapToLong(Long::parseLong).toArray();
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        LoadedChatModel loaded = LoadedChatModel.load(manager, model, adapter, Dtype.F32)) {
      CausalLm lm = loaded.chat().model();
      NDArray input = manager.create(ids, new Shape(1, ids.length));
      NDArray positions = manager.arange(0, ids.length, 1, DataType.INT64).reshape(1, -1);
      NDArray logits = lm.logits(lm.hidden(input, positions, AttentionMask.causal())).squeeze(0);
      SafetensorsWriter.write(out, List.of(TensorSource.of("logits", logits)), Map.of());
    }
  }
}
