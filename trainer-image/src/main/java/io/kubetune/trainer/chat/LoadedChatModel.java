package io.kubetune.trainer.chat;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.model.SdpaAttention;
import io.kubetune.trainer.peft.AdapterFiles;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.tokenizer.ChatTemplateException;
import io.kubetune.trainer.tokenizer.JinjaChatTemplate;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.vision.ImageProcessor;
import io.kubetune.trainer.vision.LlavaConfig;
import io.kubetune.trainer.vision.LlavaLoader;
import io.kubetune.trainer.vision.LoadedLlava;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A chat model read from a HuggingFace folder, optionally with a PEFT adapter on top; the adapter's
 * tokenizer files (with the chat template training used) win over the base's.
 */
public final class LoadedChatModel implements AutoCloseable {
  private final LoadedModel loaded;
  private final Tokenizer tokenizer;
  private final ChatModel chat;
  private final GenerationDefaults defaults;
  private final ImageChatModel images;

  private LoadedChatModel(
      LoadedModel loaded,
      Tokenizer tokenizer,
      ChatModel chat,
      GenerationDefaults defaults,
      ImageChatModel images) {
    this.loaded = loaded;
    this.tokenizer = tokenizer;
    this.chat = chat;
    this.defaults = defaults;
    this.images = images;
  }

  /**
   * @param adapterDir null for none
   * @param dtype compute and weight dtype (weights already in it are memory-mapped, not copied)
   */
  public static LoadedChatModel load(NDManager manager, Path modelDir, Path adapterDir, Dtype dtype)
      throws IOException {
    Path tokenizerDir =
        adapterDir != null && Tokenizer.isTokenizerFolder(adapterDir) ? adapterDir : modelDir;
    Tokenizer tokenizer = Tokenizer.load(tokenizerDir);
    LoadedModel loaded = null;
    try {
      ModelLoader.Options options = new ModelLoader.Options(dtype, dtype, new SdpaAttention());
      LoadedLlava llava = null;
      if (LlavaConfig.isLlava(modelDir)) {
        if (adapterDir != null) {
          throw new IOException(
              "--adapter on a LLaVA is not supported: use the merged export (hf/) as --model");
        }
        llava = LlavaLoader.load(manager, modelDir, options);
        loaded = llava.language();
      } else {
        loaded = ModelLoader.load(manager, modelDir, options);
      }
      var model = loaded.model();
      if (adapterDir != null) {
        LoraAdapters adapters = AdapterFiles.read(loaded.manager(), adapterDir);
        model = adapters.applyTo(model, false);
      }
      JinjaChatTemplate template = chatTemplate(tokenizer, tokenizerDir);
      GenerationDefaults defaults = GenerationDefaults.read(modelDir);
      ChatModel chat =
          new ChatModel(
              model,
              tokenizer,
              template,
              StopTokens.of(loaded.config(), defaults, tokenizer, template.source()),
              loaded.manager());
      ImageChatModel images =
          llava == null
              ? null
              : new ImageChatModel(chat, llava.model(), new ImageProcessor(llava.processor()));
      return new LoadedChatModel(loaded, tokenizer, chat, defaults, images);
    } catch (IOException | RuntimeException e) {
      tokenizer.close();
      if (loaded != null) {
        loaded.close();
      }
      throw e;
    }
  }

  private static JinjaChatTemplate chatTemplate(Tokenizer tokenizer, Path dir) {
    Path file = dir.resolve("tokenizer_config.json");
    if (tokenizer.chatTemplate().isEmpty()) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR,
          file
              + ": no chat_template: chat and serve render conversations with the model's own"
              + " template (kubetune train writes it into its export)");
    }
    try {
      return JinjaChatTemplate.of(tokenizer);
    } catch (ChatTemplateException e) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR, file + ": chat_template: " + e.getMessage());
    }
  }

  public ChatModel chat() {
    return chat;
  }

  /** The image side of a LLaVA; empty for a text model. */
  public java.util.Optional<ImageChatModel> images() {
    return java.util.Optional.ofNullable(images);
  }

  public GenerationDefaults defaults() {
    return defaults;
  }

  public LoadedModel loaded() {
    return loaded;
  }

  @Override
  public void close() {
    tokenizer.close();
    loaded.close();
  }
}
