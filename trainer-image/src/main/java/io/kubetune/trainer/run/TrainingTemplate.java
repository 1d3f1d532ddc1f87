package io.kubetune.trainer.run;

import io.kubetune.api.DatasetSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.data.SampleEncoders;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.tokenizer.ChatTemplate;
import io.kubetune.trainer.tokenizer.ChatTemplateException;
import io.kubetune.trainer.tokenizer.JinjaChatTemplate;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.tokenizer.XTunerChatTemplate;
import io.kubetune.trainer.tokenizer.XTunerTemplate;
import java.util.Optional;

/**
 * The chat template a run trains with: the first chat dataset's (an XTuner template, or the
 * tokenizer's own). The same definition renders the evaluation prompts and is exported into
 * tokenizer_config.json, so serving formats conversations exactly as training did.
 *
 * @param exportJinja the Jinja source to write on export; null keeps the base model's
 * @param renderer null when the run has no chat data and the tokenizer has no template
 */
public record TrainingTemplate(String exportJinja, ChatTemplate renderer) {

  public static TrainingTemplate of(TrainingJobSpec spec, Tokenizer tokenizer) {
    Optional<DatasetSpec> chat =
        spec.datasets().stream().filter(d -> d.format() != DatasetSpec.Format.TEXT).findFirst();
    if (chat.isPresent()) {
      Optional<XTunerTemplate> xtuner = SampleEncoders.xtunerTemplate(chat.get().template());
      if (xtuner.isPresent()) {
        return new TrainingTemplate(
            xtuner.get().toJinja(), XTunerChatTemplate.of(xtuner.get(), tokenizer));
      }
    }
    if (tokenizer.chatTemplate().isEmpty()) {
      return new TrainingTemplate(null, null);
    }
    try {
      return new TrainingTemplate(null, JinjaChatTemplate.of(tokenizer));
    } catch (ChatTemplateException e) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR,
          "model.source: the model's chat_template (tokenizer_config.json): " + e.getMessage());
    }
  }

  /** The template's source text, to find its end-of-turn tokens. */
  public String source(Tokenizer tokenizer) {
    return exportJinja != null ? exportJinja : tokenizer.chatTemplate().orElse(null);
  }
}
