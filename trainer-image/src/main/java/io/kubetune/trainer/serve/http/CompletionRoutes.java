package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import io.kubetune.trainer.serve.openai.ChatCompletionRequest;
import io.kubetune.trainer.serve.openai.CompletionRequest;
import io.kubetune.trainer.serve.openai.RequestParser;
import java.io.IOException;

/** POST /v1/chat/completions and POST /v1/completions. */
final class CompletionRoutes {
  private final ModelSlot slot;
  private final Generations generations;

  CompletionRoutes(ModelSlot slot, Generations generations) {
    this.slot = slot;
    this.generations = generations;
  }

  void chat(Context ctx) throws IOException {
    ServedModel model = slot.require();
    ChatCompletionRequest request = RequestParser.chat(ctx.bodyAsBytes());
    model.checkName(request.options().model());
    int[] prompt = model.chatPrompt(request.messages());
    generations.answer(
        ctx, model, prompt, "messages", request.options(), ReplyFormat.Chat.create(model.name()));
  }

  void completion(Context ctx) throws IOException {
    ServedModel model = slot.require();
    CompletionRequest request = RequestParser.completion(ctx.bodyAsBytes());
    model.checkName(request.options().model());
    int[] prompt = model.textPrompt(request.prompt());
    generations.answer(
        ctx, model, prompt, "prompt", request.options(), ReplyFormat.Text.create(model.name()));
  }
}
