package io.kubetune.trainer.chat;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.model.LoadedModel;
import io.kubetune.trainer.model.ModelLoader;
import io.kubetune.trainer.model.SdpaAttention;
import io.kubetune.trainer.peft.AdapterFiles;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.tokenizer.JinjaChatTemplate;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Dtype;
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

  private LoadedChatModel(
      LoadedModel loaded, Tokenizer tokenizer, ChatModel chat, GenerationDefaults defaults) {
    this.loaded = loaded;
    this.tokenizer = tokenizer;
    this.chat = chat;
    this.defaults = defaults;
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
      loaded =
          ModelLoader.load(
              manager, modelDir, new ModelLoader.Options(dtype, dtype, new SdpaAttention()));
      var model = loaded.model();
      if (adapterDir != null) {
        LoraAdapters adapters = AdapterFiles.read(loaded.manager(), adapterDir);
        model = adapters.applyTo(model, false);
      }
      JinjaChatTemplate template = JinjaChatTemplate.of(tokenizer);
      GenerationDefaults defaults = GenerationDefaults.read(modelDir);
      ChatModel chat =
          new ChatModel(
              model,
              tokenizer,
              template,
              StopTokens.of(loaded.config(), defaults, tokenizer, template.source()),
              loaded.manager());
      return new LoadedChatModel(loaded, tokenizer, chat, defaults);
    } catch (IOException | RuntimeException e) {
      tokenizer.close();
      if (loaded != null) {
        loaded.close();
      }
      throw e;
    }
  }

  public ChatModel chat() {
    return chat;
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
