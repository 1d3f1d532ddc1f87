package io.kubetune.trainer.serve.http;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.chat.ChatModel;
import io.kubetune.trainer.chat.ImageChatModel;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.serve.BatchEngine;
import io.kubetune.trainer.serve.GenerationCallback;
import io.kubetune.trainer.serve.GenerationRequest;
import io.kubetune.trainer.serve.openai.ApiError;
import io.kubetune.trainer.serve.openai.GenerationOptions;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.tokenizer.ChatTemplateException;
import io.kubetune.trainer.vision.RgbImage;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The model behind the API: its name, how prompts become tokens (the model's own chat template),
 * the sampling defaults, and the batch engine every generation goes through.
 */
public final class ServedModel {
  /**
   * What a request gets for what it leaves out.
   *
   * @param maxTokens the longest reply (cut to what the context leaves)
   * @param temperature 0 = greedy
   */
  public record Defaults(
      int maxTokens, double temperature, double topP, int topK, double repetitionPenalty) {}

  /**
   * A prompt ready for the engine.
   *
   * @param embedder null for a tokens-only prompt (see {@link GenerationRequest})
   */
  public record Prompt(int[] ids, UnaryOperator<NDArray> embedder) {}

  private final String name;
  private final long created;
  private final ChatModel chat;
  private final ImageChatModel vision;
  private final BatchEngine engine;
  private final Defaults defaults;

  public ServedModel(String name, ChatModel chat, BatchEngine engine, Defaults defaults) {
    this(name, chat, null, engine, defaults);
  }

  /**
   * @param vision the image side of a LLaVA (null: a text model, image parts are refused)
   */
  public ServedModel(
      String name, ChatModel chat, ImageChatModel vision, BatchEngine engine, Defaults defaults) {
    this.name = name;
    this.vision = vision;
    this.created = System.currentTimeMillis() / 1000;
    this.chat = chat;
    this.engine = engine;
    this.defaults = defaults;
  }

  public String name() {
    return name;
  }

  /** When it was loaded, in Unix seconds. */
  public long created() {
    return created;
  }

  public int contextLength() {
    return engine.config().contextLength();
  }

  public BatchEngine engine() {
    return engine;
  }

  /** Fails with 404 model_not_found unless the request names this model. */
  public void checkName(String requested) {
    if (!name.equals(requested)) {
      throw ApiError.modelNotFound(requested);
    }
  }

  /**
   * A conversation and its images (in the order of their {@code <image>} placeholders): token ids
   * with each placeholder expanded for its image's features, and what embeds them.
   */
  public Prompt chatPrompt(List<ChatMessage> messages, List<RgbImage> images) {
    if (vision == null && !images.isEmpty()) {
      throw ApiError.invalid(
          "This model reads text only: image_url content parts need a LLaVA model.", "messages");
    }
    int[] ids = renderedIds(messages); // the template's refusals, each with its own message
    if (vision == null) {
      return new Prompt(ids, null);
    }
    try {
      ids = vision.promptIds(messages, images.size());
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(
          "Each image_url part becomes one <image> placeholder; write no '<image>' in the"
              + " text yourself ("
              + e.getMessage()
              + ").",
          "messages");
    }
    return new Prompt(ids, images.isEmpty() ? null : vision.promptEmbedder(images));
  }

  private int[] renderedIds(List<ChatMessage> messages) {
    int[] ids;
    try {
      ids = chat.promptIds(messages);
    } catch (ChatTemplateException e) {
      throw ApiError.invalid(
          "The model's chat template refused the messages: " + e.getMessage(), "messages");
    }
    if (ids.length == 0) {
      // e.g. the XTuner templates kubetune exports: they open a reply only after a user message
      throw ApiError.invalid(
          "The model's chat template renders these messages as nothing, so there is no prompt to"
              + " answer: this model's template starts a reply only after a user message. Add a"
              + " message with role 'user'.",
          "messages");
    }
    return ids;
  }

  /** A raw prompt (/v1/completions), with the special tokens the tokenizer adds (e.g. bos). */
  public int[] textPrompt(String prompt) {
    return chat.tokenizer().encode(prompt, true);
  }

  /**
   * How to generate for a prompt of promptTokens tokens; fails with 400 when the prompt and
   * max_tokens do not fit in the context.
   *
   * @param promptParam the request field the prompt came from (messages, prompt), for the error
   */
  public SamplingParams sampling(GenerationOptions options, int promptTokens, String promptParam) {
    if (promptTokens == 0) {
      throw ApiError.invalid("The prompt encodes to no tokens.", promptParam);
    }
    int context = contextLength();
    int maxTokens;
    if (options.maxTokens() != null) {
      maxTokens = options.maxTokens();
      if (promptTokens + maxTokens > context) {
        throw ApiError.contextLengthExceeded(context, promptTokens, maxTokens, promptParam);
      }
    } else {
      if (promptTokens >= context) {
        throw ApiError.contextLengthExceeded(context, promptTokens, 1, promptParam);
      }
      maxTokens = Math.min(defaults.maxTokens(), context - promptTokens);
    }
    double topP = options.topP() != null ? options.topP() : defaults.topP();
    return new SamplingParams(
        maxTokens,
        options.temperature() != null ? options.temperature() : defaults.temperature(),
        defaults.topK(),
        // top_p 0 keeps only the most likely token
        Math.max(topP, Double.MIN_NORMAL),
        defaults.repetitionPenalty(),
        options.seed(),
        chat.stopTokenIds(),
        options.stop());
  }

  /**
   * Queues a generation; fails with 429 when every slot and the queue are taken, 503 when the
   * engine has stopped.
   *
   * @param retryAfterSeconds what the 429 tells the client
   */
  public GenerationRequest submit(
      Prompt prompt, SamplingParams params, GenerationCallback callback, int retryAfterSeconds) {
    GenerationRequest request =
        new GenerationRequest(prompt.ids(), prompt.embedder(), params, callback);
    boolean queued;
    try {
      queued = engine.submit(request);
    } catch (BatchEngine.StoppedException e) {
      throw ApiError.shuttingDown(retryAfterSeconds);
    }
    if (!queued) {
      throw ApiError.overloaded(retryAfterSeconds);
    }
    return request;
  }
}
