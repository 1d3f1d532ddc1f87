package io.kubetune.trainer.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.SourceUri;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.io.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hf:// sources. Offline: from a HuggingFace cache that huggingface_hub 2.4.0 itself wrote
 * (fixtures/hf-cache, make_hf_cache.py). Online: ONLY against {@link FakeHub}, a local stand-in of
 * the Hub's HTTP API (this project's machines cannot reach the Hub); the cache kubetune writes from
 * it must be the one huggingface_hub wrote from the same routes.
 */
class HfHubTest {
  private static final String MODEL = "hf://kubetune-test/tiny-model";
  private static final String COMMIT = "1b0c5e7f3a2d4c6e8f9a0b1c2d3e4f5a6b7c8d9e";

  @TempDir Path dir;
  private FakeHub hub;

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private HfHub online(Path cache) {
    return new HfHub(
        HfSettings.fromEnvironment(
            Map.of("HF_HUB_CACHE", cache.toString(), "HF_ENDPOINT", hub.endpoint().toString())));
  }

  private static HfHub offline(Path cache) {
    return new HfHub(
        HfSettings.fromEnvironment(
            Map.of("HF_HUB_CACHE", cache.toString(), "HF_HUB_OFFLINE", "1")));
  }

  private static SourceUri uri(String uri) {
    return SourceUri.parse("model.source", uri);
  }

  private Path referenceCache() throws IOException {
    Path copy = dir.resolve("reference");
    try (Stream<Path> all = Files.walk(FakeHub.FIXTURE.resolve("hub"))) {
      for (Path p : all.toList()) {
        Path to = copy.resolve(FakeHub.FIXTURE.resolve("hub").relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createDirectories(to.getParent());
          Files.createSymbolicLink(to, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return copy;
  }

  @Test
  void offlineReadsACacheThatHuggingfaceHubWrote() throws IOException {
    HfHub hf = offline(referenceCache());
    Path model = hf.resolve("model.source", uri(MODEL));
    assertThat(model.getFileName().toString()).isEqualTo(COMMIT);
    assertThat(model.resolve("config.json")).hasBinaryContent(hub.content("model", "config.json"));
    assertThat(model.resolve("tokenizer/tokenizer_config.json")).exists();
    assertThat(hf.resolve("f", uri(MODEL + "@" + COMMIT))).isEqualTo(model);
    Path train =
        hf.resolve(
            "datasets[0].source", uri("hf://datasets/kubetune-test/chats@main/data/train.jsonl"));
    assertThat(train).hasBinaryContent(hub.content("dataset", "data/train.jsonl"));
    assertThat(hub.requests()).as("offline: no request at all").isEmpty();
  }

  @Test
  void offlineAMissingRepositoryIsNoInputThatNamesTheCache() throws IOException {
    Path cache = referenceCache();
    assertThatThrownBy(() -> offline(cache).resolve("model.source", uri("hf://Qwen/Qwen2-0.5B")))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.NO_INPUT))
        .hasMessageContaining(
            "model.source: hf://Qwen/Qwen2-0.5B@main is not in the HuggingFace cache " + cache)
        .hasMessageContaining("HF_HUB_OFFLINE");
  }

  @Test
  void downloadsTheCacheHuggingfaceHubWouldHaveWritten() throws IOException {
    Path cache = dir.resolve("hub");
    HfHub hf = online(cache);
    Path model = hf.resolve("model.source", uri(MODEL));
    hf.resolve("datasets[0].source", uri("hf://datasets/kubetune-test/chats/data/train.jsonl"));
    assertThat(model)
        .isEqualTo(cache.resolve("models--kubetune-test--tiny-model/snapshots/" + COMMIT));
    assertThat(layout(cache)).isEqualTo(layout(referenceCache()));
    assertThat(hub.requests())
        .as("the token never goes to the CDN (none is set here either)")
        .allSatisfy(r -> assertThat(r).endsWith(" null"));
  }

  @Test
  void whatIsInTheCacheIsNeverDownloadedAgain() throws IOException {
    Path cache = dir.resolve("hub");
    HfHub first = online(cache);
    first.resolve("model.source", uri(MODEL));
    assertThat(first.bytesDownloaded()).isEqualTo(totalModelBytes());
    int before = hub.requests().size();

    HfHub second = online(cache);
    assertThat(second.resolve("model.source", uri(MODEL))).exists();
    assertThat(second.bytesDownloaded()).isZero();
    assertThat(hub.requests().subList(before, hub.requests().size()))
        .as("one request for the revision's commit, none for files")
        .singleElement()
        .satisfies(
            r ->
                assertThat(r)
                    .startsWith("GET 127.0.0.1/api/models/kubetune-test/tiny-model/revision/main"));
  }

  @Test
  void resumesAnInterruptedDownloadWithARange() throws IOException {
    Path cache = dir.resolve("hub");
    byte[] weights = hub.content("model", "model.safetensors");
    Path blobs = Files.createDirectories(cache.resolve("models--kubetune-test--tiny-model/blobs"));
    String sha256 = sha256(weights);
    Files.write(blobs.resolve(sha256 + ".incomplete"), java.util.Arrays.copyOf(weights, 50_000));

    HfHub hf = online(cache);
    Path model = hf.resolve("model.source", uri(MODEL));
    assertThat(model.resolve("model.safetensors")).hasBinaryContent(weights);
    assertThat(hf.bytesDownloaded()).isEqualTo(totalModelBytes() - 50_000);
    assertThat(hub.requests())
        .anySatisfy(r -> assertThat(r).startsWith("GET 127.0.0.2/cdn/" + sha256));
  }

  @Test
  void aTransferThatDoesNotMatchTheSha256IsRefusedAndNotKept() throws IOException {
    byte[] bad = hub.content("model", "model.safetensors").clone();
    bad[1000] ^= 1;
    hub.corrupt("model.safetensors", bad);
    Path cache = dir.resolve("hub");
    assertThatThrownBy(() -> online(cache).resolve("model.source", uri(MODEL)))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.IO_ERROR))
        .hasMessageContaining("does not match its SHA-256");
    assertThat(
            cache.resolve(
                "models--kubetune-test--tiny-model/snapshots/" + COMMIT + "/model.safetensors"))
        .doesNotExist();
  }

  @Test
  void aGatedRepositoryNeedsTheTokenWhichTheCdnNeverSees() throws IOException {
    hub.requireToken("hf_secret");
    Path cache = dir.resolve("hub");
    assertThatThrownBy(() -> online(cache).resolve("model.source", uri(MODEL)))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.NO_INPUT))
        .hasMessageContaining("private or gated: set HF_TOKEN");
    HfHub withToken =
        new HfHub(
            HfSettings.fromEnvironment(
                Map.of(
                    "HF_HUB_CACHE", cache.toString(),
                    "HF_ENDPOINT", hub.endpoint().toString(),
                    "HF_TOKEN", "hf_secret")));
    assertThat(withToken.resolve("model.source", uri(MODEL)).resolve("model.safetensors")).exists();
    assertThat(hub.requests())
        .filteredOn(r -> r.contains(" 127.0.0.2/"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r).endsWith(" null"));
  }

  @Test
  void withoutTheHubTheCacheAnswersAndOtherwiseTheFailureIsRetryable() throws IOException {
    Path cache = dir.resolve("hub");
    online(cache).resolve("model.source", uri(MODEL));
    hub.close();
    HfHub unreachable = online(cache);
    assertThat(unreachable.resolve("model.source", uri(MODEL)).resolve("config.json")).exists();
    Directories.deleteRecursively(cache);
    assertThatThrownBy(() -> online(cache).resolve("model.source", uri(MODEL)))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.IO_ERROR))
        .hasMessageContaining("cannot be reached");
  }

  private static String sha256(byte[] data) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private long totalModelBytes() {
    long total = 0;
    var files = hub.repo("model").get("files").fieldNames();
    while (files.hasNext()) {
      total += hub.content("model", files.next()).length;
    }
    return total;
  }

  /**
   * The cache layout: every file and link under refs/, blobs/ and snapshots/ (huggingface_hub's own
   * bookkeeping besides it, CACHEDIR.TAG and trees/, left out), with link targets and ref contents.
   */
  private static Map<String, String> layout(Path cache) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(cache)) {
      for (Path p : all.toList()) {
        String rel = cache.relativize(p).toString();
        if (!rel.matches("[^/]+/(refs|blobs|snapshots)/.+")) {
          continue;
        }
        if (rel.endsWith(".lock")) {
          continue;
        }
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(rel, rel.contains("/refs/") ? Files.readString(p) : "file " + Files.size(p));
        }
      }
    }
    return out;
  }
}
