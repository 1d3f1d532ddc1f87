package io.kubetune.trainer.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.SourceUri;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * hf:// sources: a HuggingFace Hub repository at a revision, in the HuggingFace cache layout that
 * huggingface_hub reads and writes ({@code CACHE/models--org--name/} with {@code refs/REVISION}
 * holding the commit, {@code blobs/ETAG} the files and {@code snapshots/COMMIT/PATH} links to
 * them), so a cache filled by {@code huggingface-cli download} serves kubetune and the other way
 * round.
 *
 * <p>Online, the revision is resolved to its commit ({@code GET /api/models/REPO/revision/REV}) and
 * every file of the snapshot not yet in the cache is downloaded from {@code
 * /REPO/resolve/COMMIT/FILE} (resumably; checked against the Hub's ETag: the SHA-256 of an LFS
 * file, the git blob id of another). A file already in the snapshot is never downloaded again.
 * Offline (HF_HUB_OFFLINE=1), or when the Hub cannot be reached, the cache alone answers, as in
 * huggingface_hub.
 */
public final class HfHub {
  private static final Logger LOG = LoggerFactory.getLogger(HfHub.class);
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HfSettings settings;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(20))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private long downloaded;

  public HfHub(HfSettings settings) {
    this.settings = settings;
  }

  public long bytesDownloaded() {
    return downloaded;
  }

  /** The local path of an hf:// URI (the snapshot folder, or a file in it). */
  public Path resolve(String field, SourceUri uri) {
    Repo repo = Repo.of(uri);
    String revision = uri.revision() == null ? "main" : uri.revision();
    if (settings.offline()) {
      return cached(field, uri, repo, revision, "HF_HUB_OFFLINE is set");
    }
    JsonNode info;
    try {
      info = info(repo, revision);
    } catch (IOException e) {
      return cached(
          field,
          uri,
          repo,
          revision,
          "the Hub at " + settings.endpoint() + " cannot be reached: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubetuneException(TrainerExitCodes.RETRYABLE, field + ": interrupted");
    }
    if (info == null) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT,
          field
              + ": "
              + repo.kind()
              + " "
              + repo.id()
              + " at revision "
              + revision
              + " was not found on "
              + settings.endpoint()
              + " (or is private or gated: set HF_TOKEN)");
    }
    String commit = info.path("sha").asText();
    if (!COMMIT.matcher(commit).matches()) {
      throw new KubetuneException(
          TrainerExitCodes.IO_ERROR,
          field + ": the Hub gave no commit for " + repo.id() + "@" + revision);
    }
    Path folder = settings.cache().resolve(repo.folder());
    Path snapshot = folder.resolve("snapshots").resolve(commit);
    String prefix = uri.path().isEmpty() ? "" : uri.path() + "/";
    int files = 0;
    try {
      for (JsonNode sibling : info.path("siblings")) {
        String name = sibling.path("rfilename").asText();
        if (!name.equals(uri.path()) && !name.startsWith(prefix)) {
          continue;
        }
        SourceUri.parse(field + " (file " + name + ")", "hf://" + repo.id() + "/" + name);
        file(repo, commit, name, snapshot);
        files++;
      }
      if (!revision.equals(commit)) {
        Path ref = folder.resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        Files.writeString(ref, commit, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new KubetuneException(
          TrainerExitCodes.IO_ERROR, field + ": " + uri(repo, revision) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubetuneException(TrainerExitCodes.RETRYABLE, field + ": interrupted");
    }
    if (files == 0) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT,
          field
              + ": "
              + uri(repo, revision)
              + " has no file "
              + (prefix.isEmpty() ? "" : "under " + uri.path()));
    }
    return uri.path().isEmpty() ? snapshot : snapshot.resolve(uri.path());
  }

  /** One file of the snapshot: linked to its blob, downloaded unless the blob is there. */
  private void file(Repo repo, String commit, String name, Path snapshot)
      throws IOException, InterruptedException {
    Path link = snapshot.resolve(name);
    if (Files.exists(link)) {
      return; // a commit never changes: what is in its snapshot is final
    }
    URI url =
        settings
            .endpoint()
            .resolve(
                "/" + repo.urlPrefix() + repo.id() + "/resolve/" + commit + "/" + encodePath(name));
    HttpResponse<Void> head =
        http.send(
            request(url)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept-Encoding", "identity")
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (head.statusCode() >= 400) {
      throw new IOException("HEAD " + url + ": HTTP " + head.statusCode());
    }
    String etag =
        head.headers()
            .firstValue("X-Linked-Etag")
            .or(() -> head.headers().firstValue("ETag"))
            .map(HfHub::normaliseEtag)
            .orElseThrow(() -> new IOException("HEAD " + url + ": no ETag"));
    long size =
        head.headers()
            .firstValue("X-Linked-Size")
            .or(() -> head.headers().firstValue("Content-Length"))
            .map(Long::parseLong)
            .orElseThrow(() -> new IOException("HEAD " + url + ": no size"));
    Optional<Digest> digest =
        SHA256.matcher(etag).matches()
            ? Optional.of(Digest.sha256(etag))
            : COMMIT.matcher(etag).matches() ? Optional.of(Digest.gitBlob(etag)) : Optional.empty();
    Path blob = settings.cache().resolve(repo.folder()).resolve("blobs").resolve(etag);
    LOG.info("hf://{}/{}: {} bytes (commit {})", repo.id(), name, size, commit);
    downloaded +=
        ResumableDownload.fetch(
            "hf://" + repo.id() + "@" + commit + "/" + name,
            blob,
            size,
            digest,
            offset -> get(url, offset));
    Files.createDirectories(link.getParent());
    try {
      Files.createSymbolicLink(link, link.getParent().relativize(blob));
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(blob, link); // no symlinks here (huggingface_hub does the same)
    }
  }

  /**
   * GET from an offset, following redirects by hand: the token goes to the Hub only, never to the
   * CDN or storage host an LFS file is redirected to (as huggingface_hub does).
   */
  private InputStream get(URI url, long offset) throws IOException {
    URI at = url;
    for (int redirects = 0; redirects < 5; redirects++) {
      HttpRequest.Builder get =
          at.getHost().equals(settings.endpoint().getHost())
              ? request(at)
              : HttpRequest.newBuilder(at).timeout(Duration.ofMinutes(30));
      if (offset > 0) {
        get.header("Range", "bytes=" + offset + "-");
      }
      HttpResponse<InputStream> r;
      try {
        r = http.send(get.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      int status = r.statusCode();
      if (status >= 300 && status < 400 && r.headers().firstValue("Location").isPresent()) {
        r.body().close();
        at = at.resolve(r.headers().firstValue("Location").get());
        continue;
      }
      if (status == 200 && offset > 0) {
        r.body().skipNBytes(offset); // the server ignored the range: skip what we have
      } else if (status != 200 && status != 206) {
        r.body().close();
        throw new IOException("GET " + at + ": HTTP " + status);
      }
      return r.body();
    }
    throw new IOException("GET " + url + ": too many redirects");
  }

  /** The cache alone: refs/REVISION (or the commit itself) to snapshots/COMMIT. */
  private Path cached(String field, SourceUri uri, Repo repo, String revision, String why) {
    Path folder = settings.cache().resolve(repo.folder());
    String commit = revision;
    Path ref = folder.resolve("refs").resolve(revision);
    try {
      if (Files.isRegularFile(ref)) {
        commit = Files.readString(ref).strip();
      }
    } catch (IOException e) {
      throw new KubetuneException(
          TrainerExitCodes.IO_ERROR, field + ": " + ref + ": " + e.getMessage(), e);
    }
    Path snapshot = folder.resolve("snapshots").resolve(commit);
    Path local = uri.path().isEmpty() ? snapshot : snapshot.resolve(uri.path());
    if (!COMMIT.matcher(commit).matches() || !Files.exists(local)) {
      throw new KubetuneException(
          why.startsWith("HF_HUB_OFFLINE") ? TrainerExitCodes.NO_INPUT : TrainerExitCodes.IO_ERROR,
          field
              + ": "
              + uri(repo, revision)
              + (uri.path().isEmpty() ? "" : "/" + uri.path())
              + " is not in the HuggingFace cache "
              + settings.cache()
              + " and "
              + why);
    }
    LOG.info("{}: from the HuggingFace cache ({}): {}", uri(repo, revision), why, local);
    return local;
  }

  /** The repository's info at a revision; null when the Hub says it does not exist. */
  private JsonNode info(Repo repo, String revision) throws IOException, InterruptedException {
    URI url =
        settings
            .endpoint()
            .resolve(
                "/api/"
                    + repo.kind()
                    + "s/"
                    + repo.id()
                    + "/revision/"
                    + URLEncoder.encode(revision, StandardCharsets.UTF_8));
    HttpResponse<String> r =
        http.send(request(url).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404 || r.statusCode() == 401 || r.statusCode() == 403) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + ": HTTP " + r.statusCode());
    }
    return JSON.readTree(r.body());
  }

  private HttpRequest.Builder request(URI url) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofMinutes(30))
            .header("User-Agent", "kubetune/0.1");
    settings.token().ifPresent(t -> b.header("Authorization", "Bearer " + t));
    return b;
  }

  /** huggingface_hub's _normalize_etag: no weak prefix, no quotes. */
  private static String normaliseEtag(String etag) {
    return etag.replaceFirst("^W/", "").replace("\"", "");
  }

  private static String encodePath(String path) {
    StringBuilder out = new StringBuilder();
    for (String segment : path.split("/")) {
      out.append(out.isEmpty() ? "" : "/")
          .append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return out.toString();
  }

  private static String uri(Repo repo, String revision) {
    return "hf://" + repo.urlPrefix() + repo.id() + "@" + revision;
  }

  /** A repository: its kind, id and cache folder. */
  private record Repo(String kind, String id) {
    static Repo of(SourceUri uri) {
      String a = uri.authority();
      return a.startsWith("datasets/")
          ? new Repo("dataset", a.substring("datasets/".length()))
          : new Repo("model", a);
    }

    String folder() {
      return kind + "s--" + id.replace("/", "--");
    }

    String urlPrefix() {
      return kind.equals("dataset") ? "datasets/" : "";
    }
  }
}
