import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streaming load on a running `kubetune serve`: phases of C concurrent clients, each sending R
 * streamed chat requests one after the other (C x R: 1 x 16, 8 x 4, 16 x 20). Per phase:
 * statuses, p50/p99 time to first token (send to first content chunk), completion tokens (from
 * the usage chunk) per second of wall time. Then the throughput at concurrency 8 over
 * concurrency 1. Exits 1 on any 5xx or failed stream.
 *
 * <p>usage: java -cp CP bench/java/ServeLoad.java URL MODEL MAX_TOKENS
 */
public class ServeLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Result(int status, double ttft, int tokens, boolean streamError) {}

  record Phase(String name, int clients, int requests, List<Result> results, double wallSeconds) {
    long count(int fromStatus, int toStatus) {
      return results.stream()
          .filter(r -> r.status() >= fromStatus && r.status() <= toStatus)
          .count();
    }

    long failedStreams() {
      return results.stream().filter(Result::streamError).count();
    }

    int tokens() {
      return results.stream().mapToInt(Result::tokens).sum();
    }

    double tokensPerSecond() {
      return tokens() / wallSeconds;
    }

    double ttftPercentile(double p) {
      double[] t =
          results.stream().mapToDouble(Result::ttft).filter(d -> !Double.isNaN(d)).sorted().toArray();
      if (t.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.ceil(p / 100 * t.length) - 1;
      return t[Math.max(0, Math.min(t.length - 1, i))];
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final URI uri;
  private final String model;
  private final int maxTokens;

  ServeLoad(String url, String model, int maxTokens) {
    this.uri = URI.create(url + "/v1/chat/completions");
    this.model = model;
    this.maxTokens = maxTokens;
  }

  public static void main(String[] args) throws Exception {
    ServeLoad load = new ServeLoad(args[0], args[1], Integer.parseInt(args[2]));
    load.run("warm-up", 4, 2);
    // the phase names are made from the clients and requests each one runs, so the printed
    // table cannot disagree with what ran
    List<Phase> phases = new ArrayList<>();
    phases.add(load.run(1, 16));
    phases.add(load.run(8, 4));
    phases.add(load.run(16, 20));
    System.out.printf(
        "%-18s %8s %5s %5s %5s %10s %10s %7s %7s %9s%n",
        "clients x requests",
        "requests",
        "2xx",
        "4xx",
        "5xx",
        "p50 TTFT",
        "p99 TTFT",
        "tokens",
        "wall s",
        "tokens/s");
    boolean failed = false;
    for (Phase p : phases) {
      System.out.printf(
          Locale.ROOT,
          "%-18s %8d %5d %5d %5d %8.0fms %8.0fms %7d %7.2f %9.1f%n",
          p.name(),
          p.results().size(),
          p.count(200, 299),
          p.count(400, 499),
          p.count(500, 599),
          p.ttftPercentile(50) * 1000,
          p.ttftPercentile(99) * 1000,
          p.tokens(),
          p.wallSeconds(),
          p.tokensPerSecond());
      failed |= p.count(500, 599) > 0 || p.failedStreams() > 0;
    }
    System.out.printf(
        Locale.ROOT,
        "throughput at concurrency 8 / concurrency 1 = %.2f%n",
        phases.get(1).tokensPerSecond() / phases.get(0).tokensPerSecond());
    if (failed) {
      System.out.println("FAILED: 5xx answers or broken streams");
      System.exit(1);
    }
  }

  Phase run(int clients, int perClient) throws Exception {
    return run(clients + " x " + perClient, clients, perClient);
  }

  Phase run(String name, int clients, int perClient) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    List<Future<List<Result>>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int clientId = c;
      futures.add(
          pool.submit(
              () -> {
                List<Result> mine = new ArrayList<>();
                for (int r = 0; r < perClient; r++) {
                  mine.add(request(clientId * 1000 + r));
                }
                return mine;
              }));
    }
    List<Result> results = new ArrayList<>();
    for (Future<List<Result>> f : futures) {
      results.addAll(f.get());
    }
    pool.shutdown();
    return new Phase(name, clients, perClient, results, (System.nanoTime() - start) / 1e9);
  }

  /** One streamed chat request; the prompt varies with n, the reply is greedy. */
  Result request(int n) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.put("max_tokens", maxTokens);
    body.put("temperature", 0);
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    body.putArray("messages")
        .addObject()
        .put("role", "user")
        .put("content", "Request " + n + ": " + TOPICS[n % TOPICS.length]);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofMinutes(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    long sent = System.nanoTime();
    HttpResponse<InputStream> response =
        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (response.statusCode() != 200) {
        in.lines().count();
        return new Result(response.statusCode(), Double.NaN, 0, false);
      }
      double ttft = Double.NaN;
      int tokens = 0;
      boolean done = false;
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.startsWith("data: ")) {
          continue;
        }
        String data = line.substring("data: ".length());
        if (data.equals("[DONE]")) {
          done = true;
          break;
        }
        JsonNode chunk = JSON.readTree(data);
        if (chunk.has("error")) {
          return new Result(200, ttft, tokens, true);
        }
        JsonNode delta = chunk.path("choices").path(0).path("delta");
        if (Double.isNaN(ttft) && !delta.path("content").asText("").isEmpty()) {
          ttft = (System.nanoTime() - sent) / 1e9;
        }
        if (chunk.hasNonNull("usage")) {
          tokens = chunk.get("usage").get("completion_tokens").asInt();
        }
      }
      return new Result(200, ttft, tokens, !done);
    }
  }

  private static final String[] TOPICS = {
    "tell me about the sea.", "write a poem about trees.", "explain continuous batching.",
    "what is a KV cache?", "describe a sunrise.", "list five fruits.", "why is the sky blue?",
    "summarise the history of Rome.", "how do rockets work?", "write a haiku about code."
  };
}
