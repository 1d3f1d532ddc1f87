package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.serve.GenerationRequest;
import io.kubetune.trainer.serve.openai.ApiError;
import io.kubetune.trainer.serve.openai.GenerationOptions;
import io.kubetune.trainer.serve.openai.OpenAiJson;
import io.kubetune.trainer.serve.openai.Usage;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one generation for a request through the batch engine and answers it, whole or as a
 * Server-Sent Events stream. A stream whose client went away (a write fails) cancels its
 * generation, which frees the engine slot at the next step.
 */
final class Generations {
  private static final Logger LOG = LoggerFactory.getLogger(Generations.class);

  private final ServeMetrics metrics;
  private final Duration keepAlive;
  private final int retryAfterSeconds;

  Generations(ServeMetrics metrics, Duration keepAlive, int retryAfterSeconds) {
    this.metrics = metrics;
    this.keepAlive = keepAlive;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * @param promptParam the request field the prompt came from (messages, prompt), for errors
   */
  void answer(
      Context ctx,
      ServedModel model,
      int[] prompt,
      String promptParam,
      GenerationOptions options,
      ReplyFormat format)
      throws IOException {
    SamplingParams params = model.sampling(options, prompt.length, promptParam);
    ReplyStream reply = new ReplyStream();
    GenerationRequest request = model.submit(prompt, params, reply, retryAfterSeconds);
    try {
      if (options.stream()) {
        stream(ctx, request, reply, options.includeUsage(), format);
      } else {
        Generation g = reply.await();
        AccessLog.usage(ctx, Usage.of(g));
        ctx.contentType("application/json").result(OpenAiJson.write(format.whole(g)));
      }
    } catch (InterruptedException e) {
      request.cancel();
      Thread.currentThread().interrupt();
      throw ApiError.internal("The server is shutting down.");
    }
  }

  private void stream(
      Context ctx,
      GenerationRequest request,
      ReplyStream reply,
      boolean includeUsage,
      ReplyFormat format)
      throws InterruptedException {
    try {
      SseWriter sse = SseWriter.open(ctx.res());
      for (Object chunk : format.opening()) {
        sse.data(OpenAiJson.write(chunk));
      }
      while (true) {
        ReplyStream.Event event = reply.next(keepAlive);
        if (event == null) {
          sse.keepAlive();
        } else if (event instanceof ReplyStream.Text t) {
          if (!t.text().isEmpty()) {
            sse.data(OpenAiJson.write(format.text(t.text())));
          }
        } else if (event instanceof ReplyStream.Finished f) {
          Generation g = f.generation();
          sse.data(OpenAiJson.write(format.finish(g.finishReason().openAiName())));
          if (includeUsage) {
            sse.data(OpenAiJson.write(format.usage(Usage.of(g))));
          }
          sse.done();
          AccessLog.usage(ctx, Usage.of(g));
          return;
        } else if (event instanceof ReplyStream.Failed f) {
          LOG.error("generation failed mid-stream", f.error());
          ApiError error = ApiError.internal("Generation failed: " + f.error().getMessage());
          AccessLog.note(ctx, error.getMessage());
          sse.data(OpenAiJson.write(error.body()));
          sse.done();
          return;
        }
      }
    } catch (IOException e) {
      // the client closed the connection: stop generating for it
      request.cancel();
      metrics.cancelled();
      AccessLog.note(ctx, "client disconnected; generation cancelled");
    }
  }
}
