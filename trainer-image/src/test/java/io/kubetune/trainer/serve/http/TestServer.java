package io.kubetune.trainer.serve.http;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.chat.ChatModel;
import io.kubetune.trainer.chat.LoadedChatModel;
import io.kubetune.trainer.serve.BatchEngine;
import io.kubetune.trainer.serve.EngineMetrics;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.tokenizer.ChatTemplate;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Dtype;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real server on a fixture model, on a free port, with a JDK HttpClient to talk to it. The model
 * is loaded, and the API is ready, unless {@link #loading} is used.
 */
final class TestServer implements AutoCloseable {
  static final String MODEL = "qwen2";
  static final ObjectMapper JSON = new ObjectMapper();

  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  private final String model;
  private final LoadedChatModel loaded;
  private final BatchEngine engine;
  final OpenAiServer server;
  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private TestServer(
      String model,
      BatchEngine.Config config,
      ServerOptions options,
      boolean ready,
      Duration tokenDelay) {
    this(model, Fixtures.model(model), config, options, ready, tokenDelay);
  }

  private TestServer(
      String model,
      java.nio.file.Path dir,
      BatchEngine.Config config,
      ServerOptions options,
      boolean ready,
      Duration tokenDelay) {
    this.model = model;
    try {
      loaded = LoadedChatModel.load(manager, dir, null, Dtype.F32);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var chat = loaded.chat();
    ServeMetrics metrics = new ServeMetrics();
    engine =
        new BatchEngine(
                chat.model(),
                chat.manager(),
                ids -> chat.tokenizer().decode(ids, true),
                config,
                tokenDelay.isZero() ? metrics : new SlowTokens(metrics, tokenDelay))
            .start();
    server = OpenAiServer.start(options, metrics);
    if (ready) {
      ready();
    }
  }

  static TestServer start(BatchEngine.Config config, ServerOptions options) {
    return new TestServer(MODEL, config, options, true, Duration.ZERO);
  }

  /**
   * A server whose engine takes at least {@code tokenDelay} per generated token, so that a test can
   * act while generations are surely in progress.
   */
  static TestServer slow(BatchEngine.Config config, ServerOptions options, Duration tokenDelay) {
    return new TestServer(MODEL, config, options, true, tokenDelay);
  }

  /** A server on another fixture model ({@link Fixtures#MODELS}), served under its own name. */
  static TestServer start(String model, BatchEngine.Config config, ServerOptions options) {
    return new TestServer(model, config, options, true, Duration.ZERO);
  }

  /** A server on the tiny LLaVA fixture (fixtures/llava/model), served as "llava". */
  static TestServer llava(BatchEngine.Config config, ServerOptions options) {
    return new TestServer(
        "llava", Fixtures.ROOT.resolve("llava/model"), config, options, true, Duration.ZERO);
  }

  /** The model's image side (a LLaVA's; empty for a text model). */
  java.util.Optional<io.kubetune.trainer.chat.ImageChatModel> images() {
    return loaded.images();
  }

  /** Listening, but the model not handed over yet (as while it loads). */
  static TestServer loading(ServerOptions options) {
    return new TestServer(MODEL, new BatchEngine.Config(1, 1, 256), options, false, Duration.ZERO);
  }

  static ServerOptions options(String apiKey) {
    return ServerOptions.defaults(0, apiKey).withHost("127.0.0.1");
  }

  void ready() {
    serve(loaded.chat());
  }

  /** Serves the same model with another chat template (e.g. one kubetune export writes). */
  void serveWithTemplate(ChatTemplate template) {
    var chat = loaded.chat();
    serve(
        new ChatModel(
            chat.model(), chat.tokenizer(), template, chat.stopTokenIds(), chat.manager()));
  }

  /** The model's tokenizer (for its special tokens). */
  Tokenizer tokenizer() {
    return loaded.chat().tokenizer();
  }

  private void serve(ChatModel chat) {
    server.ready(
        new ServedModel(
            model,
            chat,
            loaded.images().orElse(null),
            engine,
            new ServedModel.Defaults(16, 0, 1, 0, 1)));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> get(String path, String... headers) {
    return send(request(path, headers).GET().build());
  }

  HttpResponse<String> post(String path, String body, String... headers) {
    return send(
        request(path, headers)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Opens a streamed POST and returns its body as it arrives. */
  HttpResponse<InputStream> openStream(String path, String body) throws Exception {
    return client.send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The data of each event of an SSE body, in order ([DONE] included). */
  static List<String> sseData(String body) {
    List<String> data = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      for (String line : event.split("\n")) {
        if (line.startsWith("data: ")) {
          data.add(line.substring("data: ".length()));
        }
      }
    }
    return data;
  }

  /** Reads SSE events one at a time from a live stream. */
  static final class SseReader {
    private final BufferedReader reader;

    SseReader(InputStream in) {
      this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next event's data, or null at the end. */
    String next() throws IOException {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          return line.substring("data: ".length());
        }
      }
      return null;
    }
  }

  /** A metric's value in /metrics (the first sample whose name and labels start with prefix). */
  double metric(String prefix) {
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /** Waits until a metric has the value (see {@link #metric}), failing after the limit. */
  void awaitMetric(String prefix, double value, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (metric(prefix) != value && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    org.assertj.core.api.Assertions.assertThat(metric(prefix)).as(prefix).isEqualTo(value);
  }

  /** The engine's metrics, with a pause after every generated token. */
  private record SlowTokens(EngineMetrics metrics, Duration delay) implements EngineMetrics {
    @Override
    public void queueDepth(int depth) {
      metrics.queueDepth(depth);
    }

    @Override
    public void batchSize(int active) {
      metrics.batchSize(active);
    }

    @Override
    public void timeToFirstToken(double seconds) {
      metrics.timeToFirstToken(seconds);
      pause();
    }

    @Override
    public void interTokenLatency(double seconds) {
      metrics.interTokenLatency(seconds);
      pause();
    }

    @Override
    public void tokens(int prompt, int completion) {
      metrics.tokens(prompt, completion);
    }

    private void pause() {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    server.close();
    engine.close();
    loaded.close();
    manager.close();
  }
}
