package io.kubetune.trainer.serve.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kubetune's OpenAI-compatible HTTP server (Javalin on Jetty). It listens at once, answering 503 on
 * /health and the API until {@link #ready} hands it the loaded model.
 *
 * <pre>
 * POST /v1/chat/completions   POST /v1/completions   GET /v1/models[/{model}]   (API key if set)
 * GET  /health                GET  /metrics          GET /  (web chat page)
 * </pre>
 */
public final class OpenAiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);

  private final ModelSlot slot = new ModelSlot();
  private final ServeMetrics metrics;
  private final Javalin app;

  private OpenAiServer(ServerOptions options, ServeMetrics metrics) {
    this.metrics = metrics;
    InfoRoutes info = new InfoRoutes(slot, metrics);
    CompletionRoutes completions =
        new CompletionRoutes(
            slot, new Generations(metrics, options.keepAlive(), options.retryAfterSeconds()));
    WebPage web = new WebPage();
    Set<String> routes =
        new HashSet<>(
            Set.of("/health", "/metrics", "/v1/models", "/v1/chat/completions", "/v1/completions"));
    routes.addAll(web.paths());
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.http.maxRequestSize = options.maxBodyBytes();
              config.http.prefer405over404 = true;
              // SSE must reach the client token by token; replies are small anyway
              config.http.compressionStrategy = CompressionStrategy.NONE;
              config.jetty.addConnector(
                  (server, http) -> {
                    http.setSendServerVersion(false);
                    ServerConnector connector =
                        new ServerConnector(server, new HttpConnectionFactory(http));
                    connector.setHost(options.host());
                    connector.setPort(options.port());
                    connector.setIdleTimeout(options.idleTimeout().toMillis());
                    return connector;
                  });
              config.requestLogger.http(new AccessLog(metrics, routes));
              if (options.apiKey() != null) {
                config.routes.before("/v1/*", new ApiKeyAuth(options.apiKey()));
              }
              config.routes.get("/health", info::health);
              config.routes.get("/metrics", info::metrics);
              config.routes.get("/v1/models", info::models);
              config.routes.get("/v1/models/{model}", info::model);
              config.routes.post("/v1/chat/completions", completions::chat);
              config.routes.post("/v1/completions", completions::completion);
              for (String path : web.paths()) {
                config.routes.get(path, web::serve);
              }
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
