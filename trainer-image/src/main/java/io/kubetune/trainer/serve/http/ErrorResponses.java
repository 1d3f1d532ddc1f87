package io.kubetune.trainer.serve.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.router.EndpointNotFound;
import io.kubetune.trainer.serve.openai.ApiError;
import io.kubetune.trainer.serve.openai.OpenAiJson;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure into OpenAI's error JSON with the right status. */
final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  /** Errors after which the connection is not reused. */
  private static final Set<String> CLOSE_AFTER =
      Set.of("request_timeout", "request_too_large", "server_shutting_down");

  private ErrorResponses() {}

  static void register(RoutesConfig routes, long maxBodyBytes) {
    routes.exception(ApiError.class, (e, ctx) -> write(ctx, e));
    routes.exception(
        HttpResponseException.class, (e, ctx) -> write(ctx, fromJavalin(e, ctx, maxBodyBytes)));
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          // our own bug: the details go to the log, never to the client
          LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
          write(ctx, ApiError.internal());
        });
  }

  static void write(Context ctx, ApiError error) {
    AccessLog.note(ctx, error.getMessage());
    if (ctx.res().isCommitted()) {
      // a stream already started: its status is sent; the stream loop reports errors itself
      return;
    }
    ctx.status(error.status());
    if (error.retryAfterSeconds() != null) {
      ctx.header("Retry-After", Integer.toString(error.retryAfterSeconds()));
    }
    if (error.status() == 401) {
      ctx.header("WWW-Authenticate", "Bearer");
    }
    if (error.code() != null && CLOSE_AFTER.contains(error.code())) {
      // a body left unread (408, 413), or a server on its way out (503)
      ctx.header("Connection", "close");
    }
    ctx.contentType("application/json").result(OpenAiJson.write(error.body()));
  }

  private static ApiError fromJavalin(HttpResponseException e, Context ctx, long maxBodyBytes) {
    if (e instanceof EndpointNotFound) {
      return ApiError.unknownUrl(ctx.method().name(), ctx.path());
    }
    if (e instanceof MethodNotAllowedResponse) {
      String allowed = String.join(", ", e.getDetails().values());
      ctx.header("Allow", allowed);
      return ApiError.methodNotAllowed(ctx.method().name(), ctx.path(), allowed);
    }
    if (e.getStatus() == 413) {
      return ApiError.bodyTooLarge(maxBodyBytes);
    }
    LOG.warn("{} {}: HTTP {} {}", ctx.method(), ctx.path(), e.getStatus(), e.getMessage());
    return ApiError.http(e.getStatus(), e.getMessage());
  }
}
