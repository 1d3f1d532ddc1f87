import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.chat.ImageChatModel;
import io.kubetune.trainer.chat.LoadedChatModel;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.vision.ImageDecoder;
import io.kubetune.trainer.vision.ImageProcessorConfig;
import io.kubetune.trainer.vision.LlavaModel;
import io.kubetune.trainer.weights.SafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes what kubetune computes for one question about one image with a LLaVA folder: the prompt's
 * ids (chat template, {@code <image>} expanded), the pixel values and the fp32 logits, for
 * comparison with transformers (check_llava_export.py).
 *
 * <p>usage: java -cp CP bench/java/LlavaLogits.java MODEL_DIR IMAGE OUT.safetensors QUESTION
 */
public class LlavaLogits {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path model = Path.of(args[0]);
    Path image = Path.of(args[1]);
    Path out = Path.of(args[2]);
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        LoadedChatModel loaded = LoadedChatModel.load(manager, model, null, Dtype.F32)) {
      ImageChatModel chat = loaded.images().orElseThrow(() -> new IllegalArgumentException(model + " is not a LLaVA"));
      LlavaModel llava = chat.llava();
      int[] prompt = chat.promptIds(List.of(ChatMessage.user("<image>\n" + args[3])), 1);
      long[] ids = new long[prompt.length];
      long[] positions = new long[prompt.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = prompt[i];
        positions[i] = i;
      }
      ImageProcessorConfig pre = chat.processor().config();
      NDArray pixels =
          Tensors.float32(
              manager,
              chat.processor().pixels(ImageDecoder.read(image)),
              new Shape(1, 3, pre.outputHeight(), pre.outputWidth()));
      NDArray input = Tensors.int64(manager, ids, new Shape(1, ids.length));
      NDArray hidden =
          llava.hidden(
              input,
              llava.imageFeatures(pixels, false),
              Tensors.int64(manager, positions, new Shape(1, ids.length)),
              AttentionMask.causal());
      NDArray logits = llava.language().logits(hidden).squeeze(0);
      SafetensorsWriter.write(
          out,
          List.of(
              TensorSource.of("logits", logits),
              TensorSource.of("input_ids", input),
              TensorSource.of("pixel_values", pixels)),
          Map.of());
    }
  }
}
