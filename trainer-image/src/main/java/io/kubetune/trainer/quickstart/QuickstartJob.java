package io.kubetune.trainer.quickstart;

import io.kubetune.api.CheckpointSpec;
import io.kubetune.api.DatasetSpec;
import io.kubetune.api.EvaluationSpec;
import io.kubetune.api.LoraSpec;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.api.OutputSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * The quickstart's job: LoRA on the bundled self-cognition chats. For the tiny random base the
 * adapters must carry the whole identity, so they are wide (r 64) and the learning rate high; a
 * real model (--model) gets gentler settings and its own chat template.
 */
public final class QuickstartJob {
  public static final String PROMPT = "Who are you?";

  private QuickstartJob() {}

  public static TrainingJobSpec spec(Path model, Path dataset, Path output, boolean tinyBase) {
    DatasetSpec data =
        new DatasetSpec(
            "file://" + dataset.toAbsolutePath(),
            DatasetSpec.Format.OPENAI,
            tinyBase ? DatasetSpec.Template.QWEN_CHAT : DatasetSpec.Template.TOKENIZER,
            DatasetSpec.OnInvalid.FAIL,
            null);
    LoraSpec lora = tinyBase ? new LoraSpec(64, 128, 0.0, null) : new LoraSpec(16, 32, 0.05, null);
    TrainingSpec training =
        new TrainingSpec(
            null,
            tinyBase ? 120 : 60,
            8,
            1,
            tinyBase ? 3e-3 : 2e-4,
            0.05,
            TrainingSpec.Schedule.COSINE,
            0.0,
            1.0,
            512,
            true,
            42L,
            TrainingSpec.Precision.FP32);
    return new TrainingJobSpec(
        new ModelSource("file://" + model.toAbsolutePath(), null),
        List.of(data),
        new MethodSpec(MethodSpec.Type.LORA, lora),
        training,
        new CheckpointSpec(50, 1),
        new EvaluationSpec(List.of(PROMPT), null, 40, 32),
        new OutputSpec("file://" + output.toAbsolutePath()),
        null);
  }
}
