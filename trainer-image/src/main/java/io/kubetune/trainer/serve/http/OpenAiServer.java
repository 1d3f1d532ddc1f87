package io.kubetune.trainer.serve.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Handler;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kubetune's OpenAI-compatible HTTP server (Javalin on Jetty). It listens at once, answering 503 on
 * /health and the API until {@link #ready} hands it the loaded model, and {@link #drain}s before it
 * stops.
 *
 * <pre>
 * POST /v1/chat/completions   POST /v1/completions   GET /v1/models[/{model}]   (API key if set)
 * GET  /health                GET  /metrics          GET /  (web chat page)     (HEAD as GET)
 * </pre>
 */
public final class OpenAiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);

  /** After the drain timeout, how long the requests cut short get to send their error. */
  private static final Duration LAST_WORDS = Duration.ofSeconds(5);

  private final ModelSlot slot;
  private final Connections connections;
  private final ServeMetrics metrics;
  private final Javalin app;

  private OpenAiServer(ServerOptions options, ServeMetrics metrics) {
    this.metrics = metrics;
    this.slot = new ModelSlot(options.retryAfterSeconds());
    this.connections = new Connections(options.readTimeout());
    InfoRoutes info = new InfoRoutes(slot, metrics);
    CompletionRoutes completions =
        new CompletionRoutes(
            slot,
            new Generations(metrics, options.keepAlive(), options.retryAfterSeconds()),
            options.idleTimeout(),
            options.readTimeout());
    RequestChecks checks = new RequestChecks(options.maxBodyBytes());
    WebPage web = new WebPage();
    Map<String, Handler> pages = new LinkedHashMap<>();
    pages.put("/health", info::health);
    pages.put("/metrics", info::metrics);
    pages.put("/v1/models", info::models);
    pages.put("/v1/models/{model}", info::model);
    for (String path : web.paths()) {
      pages.put(path, web::serve);
    }
    Set<String> routes =
        new HashSet<>(Set.of("/v1/chat/completions", "/v1/completions", "/v1/models"));
    routes.addAll(pages.keySet());
    routes.remove("/v1/models/{model}");
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.http.maxRequestSize = options.maxBodyBytes();
              config.http.prefer405over404 = true;
              // SSE must reach the client token by token; replies are small anyway
              config.http.compressionStrategy = CompressionStrategy.NONE;
              config.jetty.modifyServer(
                  server -> {
                    server.insertHandler(connections);
                    server.setErrorHandler(new JsonErrorHandler());
                  });
              config.jetty.addConnector(
                  (server, http) -> {
                    http.setSendServerVersion(false);
                    ServerConnector connector =
                        new ServerConnector(server, new HttpConnectionFactory(http));
                    connector.setHost(options.host());
                    connector.setPort(options.port());
                    // between requests, and while one is read or written; Connections exempts
                    // the generation of a request
                    connector.setIdleTimeout(options.idleTimeout().toMillis());
                    connector.addEventListener(connections);
                    return connector;
                  });
              config.requestLogger.http(new AccessLog(metrics, routes));
              config.routes.before(checks::declaredLength);
              if (options.apiKey() != null) {
                config.routes.before("/v1/*", new ApiKeyAuth(options.apiKey()));
              }
              config.routes.before("/v1/*", checks::jsonBody);
              pages.forEach(
                  (path, handler) -> {
                    config.routes.get(path, handler);
                    // HEAD: the same status and headers; Jetty leaves the body out
                    config.routes.head(path, handler);
                  });
              config.routes.post("/v1/chat/completions", completions::chat);
              config.routes.post("/v1/completions", completions::completion);
              ErrorResponses.register(config.routes, options.maxBodyBytes());
            });
    if (options.apiKey() == null) {
      LOG.warn(
          "no API key is set: the API is open to anyone who can reach this port (set"
              + " KUBETUNE_API_KEY to require 'Authorization: Bearer <key>')");
    } else {
      LOG.info("the API requires 'Authorization: Bearer <key>'; /health, /metrics and / are open");
    }
  }

  /** Starts listening; the API answers 503 until {@link #ready}. */
  public static OpenAiServer start(ServerOptions options, ServeMetrics metrics) {
    OpenAiServer server = new OpenAiServer(options, metrics);
    server.app.start();
    return server;
  }

  /** The model is loaded: serve it. */
  public void ready(ServedModel model) {
    slot.set(model);
    metrics.ready(model.engine().config().maxBatch());
    LOG.info(
        "serving '{}' on port {} (context {} tokens, {} slots, queue {})",
        model.name(),
        port(),
        model.contextLength(),
        model.engine().config().maxBatch(),
        model.engine().config().maxQueue());
  }

  /**
   * Drains before a stop (SIGTERM): /health answers 503 (readiness fails, so no new traffic is
   * routed here), new requests get 503 server_shutting_down with Retry-After, connections waiting
   * for a next request are closed and every response from now on closes its own; the requests in
   * progress, streamed or not, running or queued, go on to their end. Past the timeout the engine
   * is stopped: what is left ends with a 503 (or, mid-stream, an error event), not with silence.
   *
   * @return true when every request finished within the timeout
   */
  public boolean drain(Duration timeout) {
    slot.drain();
    connections.closeAll();
    int running = connections.requestsInProgress();
    LOG.info(
        "draining: {} requests in progress; no new ones taken; up to {} s to finish",
        running,
        timeout.toSeconds());
    try {
      if (connections.awaitNoRequests(timeout)) {
        LOG.info("drained: every request finished");
        return true;
      }
      LOG.warn(
          "drain timeout: stopping the {} requests still in progress",
          connections.requestsInProgress());
      slot.get().ifPresent(model -> model.engine().close());
      connections.awaitNoRequests(LAST_WORDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  public int port() {
    return app.port();
  }

  public ServeMetrics metrics() {
    return metrics;
  }

  /** Stops the HTTP server (the engine belongs to the caller). */
  @Override
  public void close() {
    app.stop();
  }
}
