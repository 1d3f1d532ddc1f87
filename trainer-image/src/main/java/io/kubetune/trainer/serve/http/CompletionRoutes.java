package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.kubetune.trainer.serve.openai.ApiError;
import io.kubetune.trainer.serve.openai.ChatCompletionRequest;
import io.kubetune.trainer.serve.openai.CompletionRequest;
import io.kubetune.trainer.serve.openai.RequestParser;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;

/** POST /v1/chat/completions and POST /v1/completions. */
final class CompletionRoutes {
  private final ModelSlot slot;
  private final Generations generations;
  private final String tooSlow;

  /**
   * @param idleTimeout the longest silence while a body is read
   * @param readTimeout the longest time to read a body
   */
  CompletionRoutes(
      ModelSlot slot, Generations generations, Duration idleTimeout, Duration readTimeout) {
    this.slot = slot;
    this.generations = generations;
    this.tooSlow =
        "The request body did not arrive in time: this server waits at most "
            + seconds(idleTimeout)
            + " s when no bytes come and "
            + seconds(readTimeout)
            + " s for the whole body.";
  }

  private static String seconds(Duration d) {
    return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  void chat(Context ctx) {
    ServedModel model = slot.require();
    ChatCompletionRequest request = RequestParser.chat(body(ctx));
    model.checkName(request.options().model());
    ServedModel.Prompt prompt = model.chatPrompt(request.messages(), request.images());
    generations.answer(
        ctx, model, prompt, "messages", request.options(), ReplyFormat.Chat.create(model.name()));
  }

  void completion(Context ctx) {
    ServedModel model = slot.require();
    CompletionRequest request = RequestParser.completion(body(ctx));
    model.checkName(request.options().model());
    ServedModel.Prompt prompt = new ServedModel.Prompt(model.textPrompt(request.prompt()), null);
    generations.answer(
        ctx, model, prompt, "prompt", request.options(), ReplyFormat.Text.create(model.name()));
  }

  /** The request body; a body that stalls, trickles or breaks off is a 4xx, not our failure. */
  private byte[] body(Context ctx) {
    try {
      return ctx.bodyAsBytes();
    } catch (HttpResponseException e) {
      throw e; // over the size limit: 413
    } catch (Exception e) {
      boolean overdue = Connections.of(ctx.req()).map(c -> c.bodyOverdue()).orElse(false);
      if (overdue || causedBy(e, TimeoutException.class) != null) {
        throw ApiError.requestTimeout(tooSlow);
      }
      HttpException malformed = causedBy(e, HttpException.class);
      throw ApiError.http(
          400,
          "The request body could not be read: "
              + (malformed != null
                  ? malformed.getReason()
                  : "the connection ended before the whole body arrived")
              + ".");
    }
  }

  private static <T> T causedBy(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
