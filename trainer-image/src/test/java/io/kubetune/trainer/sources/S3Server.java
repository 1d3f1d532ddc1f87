package io.kubetune.trainer.sources;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for the tests: versitygw (the Versity S3 Gateway, its posix backend
 * on a temporary folder), built from the Go module proxy by {@code deploy/tools/build.sh s3}
 * (cached; the first build takes a few minutes) and started on a free loopback port. Its access log
 * tells which S3 operations the code under test made.
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "kubetune-test";
  static final String SECRET_KEY = "kubetune-test-secret";

  private final Process process;
  private final Path accessLog;
  final URI endpoint;

  private S3Server(Process process, URI endpoint, Path accessLog) {
    this.process = process;
    this.endpoint = endpoint;
    this.accessLog = accessLog;
  }

  static S3Server start(Path dir) throws Exception {
    Path binary = build().resolve("versitygw");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path root = Files.createDirectories(dir.resolve("root"));
    Path meta = Files.createDirectories(dir.resolve("meta"));
    Path log = dir.resolve("access.log");
    Process p =
        new ProcessBuilder(
                binary.toString(),
                "--access",
                ACCESS_KEY,
                "--secret",
                SECRET_KEY,
                "--port",
                "127.0.0.1:" + port,
                "--quiet",
                "--access-log",
                log.toString(),
                "posix",
                "--sidecar",
                meta.toString(),
                root.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        break;
      } catch (IOException e) {
        if (!p.isAlive() || Instant.now().isAfter(deadline)) {
          p.destroyForcibly();
          throw new IllegalStateException(
              "versitygw did not start: " + Files.readString(dir.resolve("server.log")));
        }
        Thread.sleep(100);
      }
    }
    return new S3Server(p, URI.create("http://127.0.0.1:" + port), log);
  }

  /** deploy/tools/build.sh s3: the cached binary's folder. */
  private static Path build() throws Exception {
    Path repo = Path.of(System.getProperty("kubetune.repoRoot", "..")).toAbsolutePath();
    Process b =
        new ProcessBuilder("bash", repo.resolve("deploy/tools/build.sh").toString(), "s3")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (b.waitFor() != 0) {
      throw new IllegalStateException("deploy/tools/build.sh s3 failed (needs Go >= 1.26)");
    }
    return Path.of(out.substring(out.lastIndexOf('\n') + 1));
  }

  /** The variables a trainer gets from spec.sourceSecretRef, for this server. */
  Map<String, String> env(Path home) {
    return Map.of(
        "AWS_ENDPOINT_URL",
        endpoint.toString(),
        "AWS_ACCESS_KEY_ID",
        ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY",
        SECRET_KEY,
        "AWS_REGION",
        "us-east-1",
        "HOME",
        home.toString());
  }

  S3Client client() {
    return S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** Access-log lines of one S3 operation (e.g. s3_GetObject) on a key. */
  List<String> requests(String operation, String key) throws IOException {
    return Files.readAllLines(accessLog).stream()
        .filter(l -> l.contains(" " + operation + " ") && l.contains(key))
        .toList();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
