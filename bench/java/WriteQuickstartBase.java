import io.kubetune.trainer.quickstart.TinyBaseModel;
import java.nio.file.Path;

/**
 * Writes the quickstart's tiny random Qwen2 base model (with its tokenizer and chat template).
 *
 * <p>usage: java -cp CP bench/java/WriteQuickstartBase.java OUT_DIR
 */
public class WriteQuickstartBase {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    TinyBaseModel.writeIfAbsent(Path.of(args[0]), 42);
  }
}
