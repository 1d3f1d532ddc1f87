package io.kubetune.operator.support;

import com.sun.net.httpserver.HttpServer;
import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.progress.TrainerEndpoints;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the trainers' rank 0 status ports in the tests: one JDK HTTP server, one path per
 * job (/ns/name/progress); a job with no report set answers 503, as a trainer that is starting.
 * Replaces the headless-Service resolution (a @DefaultBean) in the test application.
 */
@ApplicationScoped
public class FakeTrainer implements TrainerEndpoints {
  private final Map<String, String> reports = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private HttpServer server;

  @PostConstruct
  void start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          String path = exchange.getRequestURI().getPath();
          String key = path.substring(1, path.length() - TrainingProgress.PATH.length());
          String body = path.endsWith(TrainingProgress.PATH) ? reports.get(key) : null;
          byte[] bytes = (body == null ? "starting" : body).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(body == null ? 503 : 200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  @PreDestroy
  void stop() {
    server.stop(0);
  }

  @Override
  public URI statusBaseUrl(FineTuneJob job) {
    return URI.create(
        "http://127.0.0.1:"
            + server.getAddress().getPort()
            + "/"
            + job.getMetadata().getNamespace()
            + "/"
            + job.getMetadata().getName());
  }

  /** What GET /progress returns for a job from now on. */
  public void report(String namespace, String name, String json) {
    reports.put(namespace + "/" + name, json);
  }

  public int requests() {
    return requests.get();
  }
}
