package io.kubetune.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.chat.GenerationDefaults;
import io.kubetune.trainer.chat.LoadedChatModel;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.serve.BatchEngine;
import io.kubetune.trainer.serve.http.OpenAiServer;
import io.kubetune.trainer.serve.http.ServeMetrics;
import io.kubetune.trainer.serve.http.ServedModel;
import io.kubetune.trainer.serve.http.ServerOptions;
import io.kubetune.trainer.torch.Dtype;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Serves a model over an OpenAI-compatible HTTP API with a web chat page. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a model: /v1/chat/completions (with streaming), /v1/completions, /v1/models,"
          + " a web chat page at /, /metrics and /health (503 until the model is loaded).",
      "A LLaVA model (llava-hf layout) also reads images: OpenAI image_url content parts holding"
          + " data: URLs (other URLs get 400: the server fetches nothing).",
      "With the environment variable named by --api-key-env set (default KUBETUNE_API_KEY), /v1/*"
          + " needs 'Authorization: Bearer <key>'; /health, /metrics and the page stay open."
    })
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF model dir.")
  Path model;

  @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter to apply.")
  Path adapter;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "8000",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      description = "Address to bind (default: every interface).")
  String host;

  @Option(
      names = "--served-model-name",
      paramLabel = "NAME",
      description = "The model's name in the API (default: the model folder's name).")
  String servedModelName;

  @Option(
      names = "--max-tokens",
      paramLabel = "N",
      defaultValue = "512",
      description = "Longest reply when a request gives no max_tokens (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      description =
          "Temperature when a request gives none; 0 is greedy (default: the model's"
              + " generation_config.json, else 0).")
  Double temperature;

  @Option(
      names = "--max-batch",
      paramLabel = "N",
      defaultValue = "8",
      description = "Requests generated together (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(
      names = "--max-queue",
      paramLabel = "N",
      defaultValue = "64",
      description = "Requests waiting beyond those; more get 429 (default: ${DEFAULT-VALUE}).")
  int maxQueue;

  @Option(
      names = "--context-length",
      paramLabel = "N",
      description =
          "Tokens per request, prompt included (default: the model's max_position_embeddings,"
              + " at most 4096). The KV cache holds max-batch times this.")
  Integer contextLength;

  @Option(
      names = "--api-key-env",
      paramLabel = "NAME",
      defaultValue = "KUBETUNE_API_KEY",
      description = "Environment variable holding the API key (default: ${DEFAULT-VALUE}).")
  String apiKeyEnv;

  @Option(
      names = "--max-body-bytes",
      paramLabel = "N",
      defaultValue = "1048576",
      description = "Larger request bodies get 413 (default: ${DEFAULT-VALUE}).")
  long maxBodyBytes;

  @Option(
      names = "--idle-timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "Close a connection whose bytes stop moving for this long: between requests"
              + " (keep-alive), while a request is read or a reply written; never while its"
              + " generation runs (default: ${DEFAULT-VALUE}).")
  int idleTimeout;

  @Option(
      names = "--read-timeout",
      paramLabel = "SECONDS",
      defaultValue = "15",
      description =
          "A request's head must arrive within this long of its first byte, its body within this"
              + " long of the head; slower ones are cut (408 for a body) (default:"
              + " ${DEFAULT-VALUE}).")
  int readTimeout;

  @Option(
      names = "--drain-timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "On SIGTERM, how long the requests in progress get to finish while new ones get 503;"
              + " then the rest are stopped and the server exits. Keep the pod's"
              + " terminationGracePeriodSeconds above this (default: ${DEFAULT-VALUE}).")
  int drainTimeout;

  @Option(names = "--bf16", description = "Run in bfloat16 (default: fp32).")
  boolean bf16;

  @Override
  public Integer call() throws Exception {
    if (maxBatch < 1 || maxQueue < 1 || maxTokens < 1) {
      throw new KubetuneException(
          io.kubetune.api.TrainerExitCodes.USAGE,
          "--max-batch, --max-queue and --max-tokens must be at least 1");
    }
    if (idleTimeout < 1 || readTimeout < 1 || drainTimeout < 0) {
      throw new KubetuneException(
          io.kubetune.api.TrainerExitCodes.USAGE,
          "--idle-timeout and --read-timeout must be at least 1, --drain-timeout at least 0");
    }
    ModelFolder.requireModel("--model", model);
    ModelFolder.requireAdapter("--adapter", adapter);
    String name =
        servedModelName != null
            ? servedModelName
            : model.toAbsolutePath().normalize().getFileName().toString();
    ServerOptions options =
        ServerOptions.defaults(port, System.getenv(apiKeyEnv))
            .withHost(host)
            .withMaxBodyBytes(maxBodyBytes)
            .withTimeouts(Duration.ofSeconds(idleTimeout), Duration.ofSeconds(readTimeout));
    ServeMetrics metrics = new ServeMetrics();
    OpenAiServer server = OpenAiServer.start(options, metrics);
    System.err.println(
        "kubetune serve: listening on port " + server.port() + "; loading " + model + " ...");
    NDManager manager = NDManager.newBaseManager("PyTorch");
    LoadedChatModel loaded = null;
    BatchEngine engine = null;
    // SIGTERM: let the main thread drain and close the server and the engine before the JVM
    // exits; the hook waits for that (the JVM exits when its hooks return)
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopped.countDown();
                  try {
                    closed.await(drainTimeout + 20L, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "kubetune-serve-shutdown"));
    try {
      loaded = LoadedChatModel.load(manager, model, adapter, bf16 ? Dtype.BF16 : Dtype.F32);
      int context =
          contextLength != null
              ? contextLength
              : Math.min(loaded.loaded().config().maxPositionEmbeddings(), 4096);
      var chat = loaded.chat();
      engine =
          new BatchEngine(
                  chat.model(),
                  chat.manager(),
                  ids -> chat.tokenizer().decode(ids, true),
                  new BatchEngine.Config(maxBatch, maxQueue, context),
                  metrics)
              .start();
      GenerationDefaults d = loaded.defaults();
      server.ready(
          new ServedModel(
              name,
              chat,
              loaded.images().orElse(null),
              engine,
              new ServedModel.Defaults(
                  maxTokens,
                  temperature != null ? temperature : d.temperature(),
                  d.topP(),
                  d.topK(),
                  d.repetitionPenalty())));
      stopped.await();
      server.drain(Duration.ofSeconds(drainTimeout));
      return 0;
    } finally {
      server.close();
      if (engine != null) {
        engine.close();
      }
      if (loaded != null) {
        loaded.close();
      }
      manager.close();
      closed.countDown();
    }
  }
}
