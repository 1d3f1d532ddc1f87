package io.kubetune.trainer.serve.http;

import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.serve.openai.ChatCompletion;
import io.kubetune.trainer.serve.openai.ChatCompletionChunk;
import io.kubetune.trainer.serve.openai.TextCompletion;
import io.kubetune.trainer.serve.openai.Usage;
import java.util.List;

/** How an endpoint shapes a reply: whole (JSON) or as stream chunks. */
sealed interface ReplyFormat permits ReplyFormat.Chat, ReplyFormat.Text {
  Object whole(Generation generation);

  /** Chunks before any text (chat: the role). */
  List<Object> opening();

  Object text(String text);

  Object finish(String finishReason);

  Object usage(Usage usage);

  /** chat.completion and chat.completion.chunk. */
  record Chat(String id, long created, String model) implements ReplyFormat {
    static Chat create(String model) {
      return new Chat(CompletionIds.next("chatcmpl-"), System.currentTimeMillis() / 1000, model);
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
      return new Text(CompletionIds.next("cmpl-"), System.currentTimeMillis() / 1000, model);
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
}
