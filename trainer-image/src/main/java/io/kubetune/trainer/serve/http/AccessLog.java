package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import io.javalin.http.RequestLogger;
import io.javalin.router.Endpoint;
import io.kubetune.trainer.serve.openai.Usage;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per request (method, path, status, tokens, time, and what went wrong if anything),
 * and the request metrics by route and status. Both say what the client got: tokens only for a
 * reply that was delivered, and 499 (nginx's "client closed request") for a request whose client
 * left before its reply started.
 */
final class AccessLog implements RequestLogger {
  private static final Logger LOG = LoggerFactory.getLogger("kubetune.serve.access");
  private static final String USAGE = "kubetune.usage";
  private static final String NOTE = "kubetune.note";
  private static final String CLIENT_LEFT = "kubetune.clientLeft";

  /** The status logged for a request whose client left before its reply started. */
  static final int CLIENT_CLOSED_REQUEST = 499;

  private final ServeMetrics metrics;
  private final Set<String> routes;

  /**
   * @param routes the paths that are their own metrics label; anything else is "other"
   */
  AccessLog(ServeMetrics metrics, Set<String> routes) {
    this.metrics = metrics;
    this.routes = Set.copyOf(routes);
  }

  /** Token counts of the request, for its log line. */
  static void usage(Context ctx, Usage usage) {
    ctx.attribute(USAGE, usage);
  }

  /** A remark for the log line (an error message, "client disconnected"). */
  static void note(Context ctx, String note) {
    ctx.attribute(NOTE, note);
  }

  /** The client left before its reply started: logged and counted as 499, with the note. */
  static void clientLeft(Context ctx, String note) {
    ctx.attribute(CLIENT_LEFT, Boolean.TRUE);
    note(ctx, note);
  }

  @Override
  public void handle(Context ctx, Float executionTimeMs) {
    String route = route(ctx);
    int status = ctx.attribute(CLIENT_LEFT) != null ? CLIENT_CLOSED_REQUEST : ctx.statusCode();
    metrics.request(route, status, executionTimeMs / 1000.0);
    StringBuilder line =
        new StringBuilder()
            .append(ctx.method().name())
            .append(' ')
            .append(ctx.path())
            .append(' ')
            .append(status)
            .append(String.format(Locale.ROOT, " %.1fms", executionTimeMs));
    Usage usage = ctx.attribute(USAGE);
    if (usage != null) {
      line.append(" prompt_tokens=")
          .append(usage.promptTokens())
          .append(" completion_tokens=")
          .append(usage.completionTokens());
    }
    String note = ctx.attribute(NOTE);
    if (note != null) {
      line.append(" (").append(note).append(')');
    }
    LOG.info("{}", line);
  }

  private String route(Context ctx) {
    if (routes.contains(ctx.path())) {
      return ctx.path();
    }
    Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
    return matched != null && !matched.path.isEmpty() ? matched.path : "other";
  }
}
