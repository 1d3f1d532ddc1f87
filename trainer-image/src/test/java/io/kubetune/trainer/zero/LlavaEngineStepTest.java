package io.kubetune.trainer.zero;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.data.Batch;
import io.kubetune.trainer.data.Batches;
import io.kubetune.trainer.data.EncodedSample;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.testing.LlavaFixtures;
import io.kubetune.trainer.train.TrainableModel;
import io.kubetune.trainer.train.VisionInputs;
import io.kubetune.trainer.vision.ImageProcessor;
import io.kubetune.trainer.vision.LlavaLoader;
import io.kubetune.trainer.vision.LoadedLlava;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A LLaVA training step through the ZeRO engine (one rank), as kubetune train runs it, against
 * transformers + peft on the same batch (fixtures/llava/train.safetensors): the loss, and the
 * update of every trainable tensor (the projector in stage pretrain; the projector and the LoRA
 * adapters in stage finetune) follows transformers' gradient, within 1e-4.
 *
 * <p>The gradient is read off the update (see {@link ImpliedGradients}).
 */
class LlavaEngineStepTest {
  private static final Path ROOT = Fixtures.ROOT.resolve("llava");
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  private final JsonNode ref = Fixtures.json(ROOT.resolve("reference.json"));

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void pretrainStepThroughTheEngineMatchesTransformers() throws Exception {
    try (LoadedLlava loaded = load();
        SafetensorsFile expected = SafetensorsFile.open(ROOT.resolve("train.safetensors"))) {
      TrainableModel model =
          TrainableModel.ofLlava(
              manager,
              spec(MethodSpec.Stage.PRETRAIN),
              loaded.model(),
              new ImageProcessor(loaded.processor()));
      assertThat(model.trainable().keySet()).allMatch(n -> n.startsWith(TrainableModel.PROJECTOR));
      Map<String, String> want = new LinkedHashMap<>();
      model.trainable().keySet().forEach(n -> want.put(n, "grad_pretrain." + n));

      double loss = stepAndCompare(model, expected, want);

      assertThat(Math.abs(loss - expected.load(manager, "loss").getFloat())).isLessThan(1e-4);
    }
  }

  @Test
  void finetuneLoraStepThroughTheEngineMatchesPeft() throws Exception {
    try (LoadedLlava loaded = load();
        SafetensorsFile expected = SafetensorsFile.open(ROOT.resolve("train.safetensors"))) {
      // the fixture's adapters (peft's initialisation), so that the gradients are comparable
      LoraAdapters adapters = LlavaFixtures.loraInit(manager, expected, ref);
      TrainableModel text =
          TrainableModel.withAdapters(MethodSpec.Type.LORA, loaded.model().language(), adapters);
      // as TrainableModel.ofLlava lays out stage finetune: the projector, then the adapters
      Map<String, NDArray> trainable = new LinkedHashMap<>();
      loaded
          .model()
          .projector()
          .parameters()
          .forEach((n, t) -> trainable.put(TrainableModel.PROJECTOR + n, t));
      trainable.values().forEach(p -> p.setRequiresGradient(true));
      trainable.putAll(text.trainable());
      TrainableModel model =
          new TrainableModel(
              MethodSpec.Type.LORA,
              text.base(),
              adapters,
              trainable,
              text.trainingView(),
              text.evalView(),
              new VisionInputs(loaded.model(), new ImageProcessor(loaded.processor()), false));
      String peft = "grad_lora.base_model.model.";
      Map<String, String> want = new LinkedHashMap<>();
      for (String n : model.trainable().keySet()) {
        if (n.startsWith(TrainableModel.PROJECTOR)) {
          String rest = n.substring(TrainableModel.PROJECTOR.length());
          want.put(n, peft + TrainableModel.PROJECTOR + "modules_to_save.default." + rest);
        } else {
          // base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight
          String rest = n.substring("base_model.model.model.".length());
          want.put(
              n,
              peft
                  + "model.language_model."
                  + rest.replace(".lora_A.weight", ".lora_A.default.weight")
                      .replace(".lora_B.weight", ".lora_B.default.weight"));
        }
      }
      assertThat(want).hasSize(4 + 2 * 14);

      double loss = stepAndCompare(model, expected, want);

      assertThat(Math.abs(loss - expected.load(manager, "lora_loss").getFloat())).isLessThan(1e-4);
    }
  }

  /**
   * One engine step on the fixture batch; asserts each trainable tensor's update against the
   * gradient named for it in want; returns the step's loss.
   */
  private double stepAndCompare(
      TrainableModel model, SafetensorsFile expected, Map<String, String> want) throws Exception {
    ImpliedGradients.Step step = ImpliedGradients.of(manager, model, batch());
    Map<String, Double> errors = new LinkedHashMap<>();
    want.forEach(
        (name, ref) ->
            errors.put(
                name,
                ImpliedGradients.maxAbs(step.gradients().get(name), expected.load(manager, ref))));
    System.out.println("LlavaEngineStepTest: max |engine - transformers| gradient: " + errors);
    assertThat(errors).allSatisfy((n, err) -> assertThat(err).as(n).isLessThan(1e-4));
    return step.loss();
  }

  private LoadedLlava load() throws Exception {
    return LlavaLoader.load(manager, ROOT.resolve("model"), ModelLoader.Options.fp32());
  }

  private static TrainingJobSpec spec(MethodSpec.Stage stage) {
    return new TrainingJobSpec(
        new ModelSource("file://" + ROOT.resolve("model").toAbsolutePath(), null),
        List.of(),
        new MethodSpec(null, null, stage, null),
        null,
        null,
        null,
        null,
        null);
  }

  /** The fixture's two rows (one image, then two) as the data pipeline batches them. */
  private Batch batch() {
    int imageId = ref.get("image_token_id").asInt();
    int imageTokens = ref.get("image_tokens").asInt();
    List<String> files = new ArrayList<>();
    ref.get("train_images").forEach(f -> files.add(f.asText()));
    List<EncodedSample> rows = new ArrayList<>();
    int next = 0;
    for (int r = 0; r < ref.get("train_input_ids").size(); r++) {
      JsonNode idsRow = ref.get("train_input_ids").get(r);
      int[] ids = new int[idsRow.size()];
      int[] labels = new int[ids.length];
      for (int c = 0; c < ids.length; c++) {
        ids[c] = idsRow.get(c).asInt();
        labels[c] = ref.get("train_labels").get(r).get(c).asInt();
      }
      List<EncodedSample.PlacedImage> placed = new ArrayList<>();
      for (int c = 0; c < ids.length; c++) {
        if (ids[c] == imageId && (c == 0 || ids[c - 1] != imageId)) {
          String file = ROOT.resolve("images").resolve(files.get(next++)).toString();
          placed.add(new EncodedSample.PlacedImage(file, "fixture row " + r, c, imageTokens));
        }
      }
      rows.add(EncodedSample.of(ids, labels).withImages(placed));
    }
    assertThat(next).isEqualTo(files.size());
    return Batches.padded(rows, 0);
  }
}
