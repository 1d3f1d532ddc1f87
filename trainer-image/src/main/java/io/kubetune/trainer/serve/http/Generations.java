package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.serve.BatchEngine;
import io.kubetune.trainer.serve.GenerationRequest;
import io.kubetune.trainer.serve.openai.ApiError;
import io.kubetune.trainer.serve.openai.GenerationOptions;
import io.kubetune.trainer.serve.openai.OpenAiJson;
import io.kubetune.trainer.serve.openai.Usage;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one generation for a request through the batch engine and answers it, whole or as a
 * Server-Sent Events stream. A client that goes away cancels its generation, which frees the engine
 * slot at the next step: a stream notices when a write fails, a whole reply by checking the
 * connection while it waits. The access log gets the token counts of a reply only once the client
 * has it.
 */
final class Generations {
  private static final Logger LOG = LoggerFactory.getLogger(Generations.class);

  /** How often a request waiting for its whole reply checks that its client is still there. */
  private static final Duration CLIENT_CHECK = Duration.ofMillis(100);

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
      ServedModel.Prompt prompt,
      String promptParam,
      GenerationOptions options,
      ReplyFormat format) {
    SamplingParams params = model.sampling(options, prompt.ids().length, promptParam);
    ReplyStream reply = new ReplyStream();
    GenerationRequest request = model.submit(prompt, params, reply, retryAfterSeconds);
    try {
      if (options.stream()) {
        stream(ctx, request, reply, options.includeUsage(), format);
      } else {
        whole(ctx, request, reply, format);
      }
    } catch (InterruptedException e) {
      request.cancel();
      Thread.currentThread().interrupt();
      throw ApiError.shuttingDown(retryAfterSeconds);
    }
  }

  private void whole(Context ctx, GenerationRequest request, ReplyStream reply, ReplyFormat format)
      throws InterruptedException {
    Optional<Connections.Tracked> connection = Connections.of(ctx.req());
    long nextCheck = System.nanoTime() + CLIENT_CHECK.toNanos();
    Generation g = null;
    while (g == null) {
      ReplyStream.Event event = reply.next(Duration.ofNanos(nextCheck - System.nanoTime()));
      if (event instanceof ReplyStream.Finished f) {
        g = f.generation();
      } else if (event instanceof ReplyStream.Failed f) {
        throw failure(f.error());
      } else if (System.nanoTime() - nextCheck >= 0) {
        if (connection.isPresent() && connection.get().clientGone()) {
          clientLeft(request);
          AccessLog.clientLeft(ctx, "client disconnected; generation cancelled");
          return;
        }
        nextCheck = System.nanoTime() + CLIENT_CHECK.toNanos();
      }
    }
    byte[] body = OpenAiJson.write(format.whole(g)).getBytes(StandardCharsets.UTF_8);
    try {
      // written here, not left to the framework, so that a failed write is seen and logged
      HttpServletResponse response = ctx.res();
      response.setStatus(200);
      response.setContentType("application/json");
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
      response.flushBuffer();
    } catch (IOException e) {
      AccessLog.clientLeft(ctx, "client disconnected; the reply was not delivered");
      return;
    }
    AccessLog.usage(ctx, Usage.of(g));
  }

  private void stream(
      Context ctx,
      GenerationRequest request,
      ReplyStream reply,
      boolean includeUsage,
      ReplyFormat format)
      throws InterruptedException {
    int sent = 0;
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
            sent++;
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
          ApiError error = failure(f.error());
          AccessLog.note(ctx, error.getMessage());
          sse.data(OpenAiJson.write(error.body()));
          sse.done();
          return;
        }
      }
    } catch (IOException e) {
      clientLeft(request);
      AccessLog.note(
          ctx, "client disconnected after " + sent + " content chunks; generation cancelled");
    }
  }

  private void clientLeft(GenerationRequest request) {
    request.cancel();
    metrics.cancelled();
  }

  /** What the client is told when the engine failed its generation (our log has the cause). */
  private ApiError failure(Throwable error) {
    if (error instanceof BatchEngine.StoppedException) {
      return ApiError.shuttingDown(retryAfterSeconds);
    }
    LOG.error("generation failed", error);
    return ApiError.internal();
  }
}
