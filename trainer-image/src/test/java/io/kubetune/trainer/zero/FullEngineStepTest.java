package io.kubetune.trainer.zero;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.data.Batches;
import io.kubetune.trainer.data.EncodedSample;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.train.TrainableModel;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A full fine-tuning step through the ZeRO engine (one rank) against transformers on the same batch
 * (fixtures/train/full_step.safetensors): the loss, and the update of every weight, the input
 * embeddings included (their gradient comes only through the engine's backward into the embedding
 * output), follows transformers' gradient (see {@link ImpliedGradients}).
 */
class FullEngineStepTest {
  private static final Path TRAIN = Fixtures.ROOT.resolve("train");
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  private final JsonNode batch = Fixtures.json(TRAIN.resolve("batch.json"));

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void fullStepThroughTheEngineMatchesTransformers() throws Exception {
    try (LoadedModel loaded =
            ModelLoader.load(manager, Fixtures.model("llama"), ModelLoader.Options.fp32());
        SafetensorsFile ref = SafetensorsFile.open(TRAIN.resolve("full_step.safetensors"))) {
      TrainingJobSpec spec =
          new TrainingJobSpec(
              new ModelSource("file://" + Fixtures.model("llama").toAbsolutePath(), null),
              List.of(),
              new MethodSpec(MethodSpec.Type.FULL, null),
              null,
              null,
              null,
              null,
              null);
      TrainableModel model = TrainableModel.of(manager, spec, loaded.model());
      List<EncodedSample> rows = new ArrayList<>();
      for (int r = 0; r < batch.get("input_ids").size(); r++) {
        rows.add(
            EncodedSample.of(
                ints(batch.get("input_ids").get(r)), ints(batch.get("labels").get(r))));
      }

      ImpliedGradients.Step step = ImpliedGradients.of(manager, model, Batches.padded(rows, 0));

      assertThat(Math.abs(step.loss() - ref.load(manager, "loss").getFloat())).isLessThan(1e-4);
      Map<String, Double> errors = new LinkedHashMap<>();
      step.gradients()
          .forEach(
              (name, g) -> errors.put(name, relativeError(g, ref.load(manager, "grad." + name))));
      System.out.println("FullEngineStepTest: relative gradient error: " + errors);
      assertThat(errors).containsKey("model.embed_tokens.weight");
      assertThat(errors).allSatisfy((n, err) -> assertThat(err).as(n).isLessThan(1e-4));
    }
  }

  private static int[] ints(JsonNode row) {
    int[] out = new int[row.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = row.get(i).asInt();
    }
    return out;
  }

  private static double relativeError(NDArray actual, NDArray expected) {
    return actual.reshape(-1).sub(expected.reshape(-1)).norm().getFloat()
        / Math.max(1e-30, expected.norm().getFloat());
  }
}
