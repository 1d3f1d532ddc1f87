package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.testing.LlavaFixtures;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.vision.ImageProcessor;
import io.kubetune.trainer.vision.LlavaLoader;
import io.kubetune.trainer.vision.LlavaModel;
import io.kubetune.trainer.vision.LoadedLlava;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One LLaVA training step against transformers + peft (fixtures/llava/train.safetensors): a batch
 * of two rows with one and two images, the loss and the gradients of the projector alone (stage
 * pretrain) and of the projector plus LoRA on the language model (stage finetune), within 1e-4.
 */
class LlavaTrainingParityTest {
  private static final Path ROOT = Fixtures.ROOT.resolve("llava");
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  private final JsonNode ref = Fixtures.json(ROOT.resolve("reference.json"));

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void pretrainStepTrainsTheProjectorAsTransformersDoes() throws Exception {
    try (LoadedLlava loaded = load();
        SafetensorsFile expected = SafetensorsFile.open(ROOT.resolve("train.safetensors"))) {
      LlavaModel model = loaded.model();
      Map<String, NDArray> projector = model.projector().parameters();
      projector.values().forEach(p -> p.setRequiresGradient(true));
      double loss = lossAndBackward(loaded, model);
      assertThat(Math.abs(loss - expected.load(manager, "loss").getFloat())).isLessThan(1e-4);
      for (var e : projector.entrySet()) {
        NDArray want =
            expected.load(manager, "grad_pretrain.model.multi_modal_projector." + e.getKey());
        assertThat(maxAbs(e.getValue().getGradient(), want)).as(e.getKey()).isLessThan(1e-4);
      }
    }
  }

  @Test
  void finetuneStepTrainsProjectorAndLoraAsPeftDoes() throws Exception {
    try (LoadedLlava loaded = load();
        SafetensorsFile expected = SafetensorsFile.open(ROOT.resolve("train.safetensors"))) {
      LlavaModel base = loaded.model();
      LoraAdapters adapters = LlavaFixtures.loraInit(manager, expected, ref);
      Map<String, LoraAdapters.Pair> pairs = adapters.pairs();
      adapters.namedParameters().values().forEach(p -> p.setRequiresGradient(true));
      base.projector().parameters().values().forEach(p -> p.setRequiresGradient(true));
      LlavaModel model = base.withLanguage(adapters.applyTo(base.language(), true));
      double loss = lossAndBackward(loaded, model);
      assertThat(Math.abs(loss - expected.load(manager, "lora_loss").getFloat())).isLessThan(1e-4);
      String peft = "grad_lora.base_model.model.";
      for (var e : base.projector().parameters().entrySet()) {
        NDArray want =
            expected.load(
                manager,
                peft + "model.multi_modal_projector.modules_to_save.default." + e.getKey());
        assertThat(maxAbs(e.getValue().getGradient(), want)).as(e.getKey()).isLessThan(1e-4);
      }
      int checked = 0;
      for (var e : pairs.entrySet()) {
        String module = "model.language_model." + e.getKey().substring("model.".length());
        NDArray wantA = expected.load(manager, peft + module + ".lora_A.default.weight");
        NDArray wantB = expected.load(manager, peft + module + ".lora_B.default.weight");
        assertThat(maxAbs(e.getValue().a().getGradient(), wantA))
            .as(module + " A")
            .isLessThan(1e-4);
        assertThat(maxAbs(e.getValue().b().getGradient(), wantB))
            .as(module + " B")
            .isLessThan(1e-4);
        checked++;
      }
      assertThat(checked).isEqualTo(14);
    }
  }

  private LoadedLlava load() throws Exception {
    return LlavaLoader.load(manager, ROOT.resolve("model"), ModelLoader.Options.fp32());
  }

  private double lossAndBackward(LoadedLlava loaded, LlavaModel model) throws Exception {
    JsonNode ids = ref.get("train_input_ids");
    int rows = ids.size();
    int cols = ids.get(0).size();
    long[] flatIds = new long[rows * cols];
    long[] flatLabels = new long[rows * cols];
    long[] positions = new long[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        flatIds[r * cols + c] = ids.get(r).get(c).asLong();
        flatLabels[r * cols + c] = ref.get("train_labels").get(r).get(c).asLong();
        positions[r * cols + c] = c;
      }
    }
    ImageProcessor processor = new ImageProcessor(loaded.processor());
    List<String> images = List.of("a.png", "b.png", "e.jpg");
    int side = loaded.processor().outputHeight();
    float[] pixels = new float[images.size() * 3 * side * side];
    for (int i = 0; i < images.size(); i++) {
      float[] px = processor.pixels(ROOT.resolve("images").resolve(images.get(i)));
      System.arraycopy(px, 0, pixels, i * px.length, px.length);
    }
    Shape shape = new Shape(rows, cols);
    NDArray labels = Tensors.int64(manager, flatLabels, shape);
    long targets =
        CausalLmLoss.targetCount(
            new long[][] {slice(flatLabels, 0, cols), slice(flatLabels, 1, cols)});
    try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray features =
          model.imageFeatures(
              Tensors.float32(manager, pixels, new Shape(images.size(), 3, side, side)), false);
      NDArray hidden =
          model.hidden(
              Tensors.int64(manager, flatIds, shape),
              features,
              Tensors.int64(manager, positions, shape),
              AttentionMask.causal());
      NDArray sum = CausalLmLoss.sum(model.language(), hidden, labels);
      double loss = sum.getFloat() / targets;
      collector.backward(sum.div(targets));
      return loss;
    }
  }

  private static long[] slice(long[] flat, int row, int cols) {
    long[] out = new long[cols];
    System.arraycopy(flat, row * cols, out, 0, cols);
    return out;
  }

  private static double maxAbs(NDArray a, NDArray b) {
    return a.reshape(-1).sub(b.reshape(-1)).abs().max().getFloat();
  }
}
