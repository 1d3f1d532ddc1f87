package io.kubetune.trainer.serve.http;

import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.serve.openai.ChatCompletion;
import io.kubetune.trainer.serve.openai.ChatCompletionChunk;
import io.kubetune.trainer.serve.openai.TextCompletion;
import io.kubetune.trainer.serve.openai.Usage;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/** How an endpoint shapes a reply: whole (JSON) or as stream chunks. */
interface ReplyFormat {
  Object whole(Generation generation);

  /** Chunks before any text (chat: the role). */
  List<Object> opening();

  Object text(String text);

  Object finish(String finishReason);

  Object usage(Usage usage);

  /** A fresh id with OpenAI's prefix (chatcmpl-, cmpl-). */
  static String newId(String prefix) {
    byte[] bytes = new byte[12];
    Ids.RANDOM.nextBytes(bytes);
    return prefix + HexFormat.of().formatHex(bytes);
  }

  /** chat.completion and chat.completion.chunk. */
  record Chat(String id, long created, String model) implements ReplyFormat {
    static Chat create(String model) {
      return new Chat(newId("chatcmpl-"), System.currentTimeMillis() / 1000, model);
    }

    @Override
    public Object whole(Generation g) {
      return ChatCompletion.of(
          id, created, model, g.text(), g.finishReason().openAiName(), Usage.of(g));
    }

    @Override
    public List<Object> opening() {
      return List.of(ChatCompletionChunk.role(id, created, model));
    }

    @Override
    public Object text(String text) {
      return ChatCompletionChunk.content(id, created, model, text);
    }

    @Override
    public Object finish(String finishReason) {
      return ChatCompletionChunk.finish(id, created, model, finishReason);
    }

    @Override
    public Object usage(Usage usage) {
      return ChatCompletionChunk.usage(id, created, model, usage);
    }
  }

  /** text_completion, whole and streamed. */
  record Text(String id, long created, String model) implements ReplyFormat {
    static Text create(String model) {
      return new Text(newId("cmpl-"), System.currentTimeMillis() / 1000, model);
    }

    @Override
    public Object whole(Generation g) {
      return TextCompletion.of(
          id, created, model, g.text(), g.finishReason().openAiName(), Usage.of(g));
    }

    @Override
    public List<Object> opening() {
      return List.of();
    }

    @Override
    public Object text(String text) {
      return TextCompletion.of(id, created, model, text, null, null);
    }

    @Override
    public Object finish(String finishReason) {
      return TextCompletion.of(id, created, model, "", finishReason, null);
    }

    @Override
    public Object usage(Usage usage) {
      return TextCompletion.usageOnly(id, created, model, usage);
    }
  }

  /** Holder of the id generator (interfaces cannot have private static fields). */
  final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}
  }
}
