package io.kubetune.trainer.data;

import io.kubetune.api.DatasetSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.tokenizer.ChatTemplateException;
import io.kubetune.trainer.tokenizer.JinjaChatTemplate;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.tokenizer.XTunerTemplate;
import io.kubetune.trainer.tokenizer.XTunerTemplates;
import java.util.Locale;
import java.util.Optional;

/** Picks the encoder a dataset spec asks for. */
public final class SampleEncoders {
  private SampleEncoders() {}

  /**
   * Text samples are always encoded for pre-training; chats with the spec's template: an XTuner
   * template, or the tokenizer's own chat_template.
   *
   * @param field the dataset's field path, e.g. datasets[0], for errors
   * @throws KubetuneException CONFIG_ERROR when the tokenizer has no chat_template to use
   */
  public static SampleEncoder forDataset(String field, DatasetSpec spec, Tokenizer tokenizer) {
    PretrainEncoder pretrain = new PretrainEncoder(tokenizer);
    if (spec.format() == DatasetSpec.Format.TEXT) {
      return pretrain;
    }
    SampleEncoder chat =
        xtunerTemplate(spec.template())
            .<SampleEncoder>map(t -> new XTunerEncoder(tokenizer, t))
            .orElseGet(
                () -> {
                  if (tokenizer.chatTemplate().isEmpty()) {
                    throw new KubetuneException(
                        TrainerExitCodes.CONFIG_ERROR,
                        field
                            + ".template: the model's tokenizer has no chat_template; choose"
                            + " internlm2_chat, qwen_chat or llama3_chat");
                  }
                  try {
                    return new ChatTemplateEncoder(tokenizer, JinjaChatTemplate.of(tokenizer));
                  } catch (ChatTemplateException e) {
                    throw new KubetuneException(
                        TrainerExitCodes.CONFIG_ERROR,
                        field + ".template: the model's chat_template: " + e.getMessage());
                  }
                });
    return sample -> sample instanceof Sample.Text ? pretrain.encode(sample) : chat.encode(sample);
  }

  /** The XTuner template a spec names; empty for the tokenizer's own. */
  public static Optional<XTunerTemplate> xtunerTemplate(DatasetSpec.Template template) {
    return template == DatasetSpec.Template.TOKENIZER
        ? Optional.empty()
        : XTunerTemplates.named(template.name().toLowerCase(Locale.ROOT));
  }
}
