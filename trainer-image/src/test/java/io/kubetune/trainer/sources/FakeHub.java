package io.kubetune.trainer.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A local stand-in for the HuggingFace Hub's HTTP API, NOT the Hub: the routes huggingface_hub uses
 * (repo info, HEAD and GET of /resolve/ with X-Repo-Commit, ETag, X-Linked-Etag and X-Linked-Size,
 * LFS files redirected to a "CDN" on another loopback address, ranged GETs), serving the
 * repositories of {@code fixtures/hf-cache/hub.json}. make_hf_cache.py runs huggingface_hub itself
 * against the same routes, which is how this stand-in is checked.
 */
final class FakeHub implements AutoCloseable {
  static final Path FIXTURE =
      Path.of(System.getProperty("kubetune.repoRoot", ".."))
          .resolve("trainer-image/src/test/resources/fixtures/hf-cache");

  private final HttpServer hub;
  private final HttpServer cdn;
  private final JsonNode repos;
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, byte[]> replaced = new HashMap<>();
  private Optional<String> requiredToken = Optional.empty();

  FakeHub() throws IOException {
    repos = new ObjectMapper().readTree(FIXTURE.resolve("hub.json").toFile());
    hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    cdn = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
    hub.createContext("/", this::handle);
    cdn.createContext("/", this::handle);
    hub.start();
    cdn.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
  }

  JsonNode repo(String key) {
    return repos.get(key);
  }

  byte[] content(String key, String file) {
    return Base64.getDecoder().decode(repos.get(key).get("files").get(file).asText());
  }

  /** Serve other bytes for a file (same ETag and size claimed): a corrupted transfer. */
  void corrupt(String file, byte[] bytes) {
    replaced.put(file, bytes);
  }

  void requireToken(String token) {
    requiredToken = Optional.of(token);
  }

  /** "METHOD path Authorization-or-none" of every request so far. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    String auth = x.getRequestHeaders().getFirst("Authorization");
    requests.add(
        x.getRequestMethod() + " " + x.getLocalAddress().getHostString() + path + " " + auth);
    boolean head = x.getRequestMethod().equals("HEAD");
    try (x) {
      if (path.startsWith("/cdn/")) {
        for (JsonNode repo : repos) {
          for (JsonNode lfs : repo.get("lfs")) {
            if (etag(repo, lfs.asText()).equals(path.substring("/cdn/".length()))) {
              send(x, repo, lfs.asText(), head, false);
              return;
            }
          }
        }
        notFound(x);
        return;
      }
      if (requiredToken.isPresent() && !("Bearer " + requiredToken.get()).equals(auth)) {
        x.sendResponseHeaders(401, -1);
        return;
      }
      if (path.startsWith("/api/")) {
        String[] parts = path.substring("/api/".length()).split("/");
        String kind = parts[0].substring(0, parts[0].length() - 1);
        JsonNode repo = find(kind, parts[1] + "/" + parts[2]);
        if (repo == null || !parts[3].equals("revision") || !knows(repo, parts[4])) {
          notFound(x);
          return;
        }
        ObjectNode info = new ObjectMapper().createObjectNode();
        info.put("id", repo.get("id").asText()).put("sha", repo.get("commit").asText());
        ArrayNode siblings = info.putArray("siblings");
        repo.get("files")
            .fieldNames()
            .forEachRemaining(f -> siblings.addObject().put("rfilename", f));
        byte[] body = info.toString().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        return;
      }
      String rest = path.substring(1);
      String kind = "model";
      if (rest.startsWith("datasets/")) {
        kind = "dataset";
        rest = rest.substring("datasets/".length());
      }
      String[] parts = rest.split("/", 5);
      JsonNode repo = parts.length == 5 ? find(kind, parts[0] + "/" + parts[1]) : null;
      if (repo == null
          || !parts[2].equals("resolve")
          || !knows(repo, parts[3])
          || !repo.get("files").has(parts[4])) {
        notFound(x);
        return;
      }
      String file = parts[4];
      boolean lfs = false;
      for (JsonNode l : repo.get("lfs")) {
        lfs |= l.asText().equals(file);
      }
      if (lfs) {
        x.getResponseHeaders()
            .set(
                "Location",
                "http://127.0.0.2:" + cdn.getAddress().getPort() + "/cdn/" + etag(repo, file));
        x.getResponseHeaders().set("X-Repo-Commit", repo.get("commit").asText());
        x.getResponseHeaders().set("X-Linked-Etag", "\"" + etag(repo, file) + "\"");
        x.getResponseHeaders().set("X-Linked-Size", Integer.toString(bytes(repo, file).length));
        x.sendResponseHeaders(302, -1);
        return;
      }
      send(x, repo, file, head, true);
    }
  }

  private void send(HttpExchange x, JsonNode repo, String file, boolean head, boolean resolve)
      throws IOException {
    byte[] data = replaced.getOrDefault(file, bytes(repo, file));
    int start = 0;
    String range = x.getRequestHeaders().getFirst("Range");
    if (range != null && range.startsWith("bytes=")) {
      start = Integer.parseInt(range.substring("bytes=".length()).split("-")[0]);
    }
    if (resolve) {
      x.getResponseHeaders().set("X-Repo-Commit", repo.get("commit").asText());
      x.getResponseHeaders().set("ETag", "\"" + etag(repo, file) + "\"");
    }
    if (start > 0) {
      x.getResponseHeaders()
          .set("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
    }
    int status = start > 0 ? 206 : 200;
    if (head) {
      x.getResponseHeaders().set("Content-Length", Integer.toString(data.length - start));
      x.sendResponseHeaders(status, -1);
      return;
    }
    x.sendResponseHeaders(status, data.length - start);
    try (OutputStream out = x.getResponseBody()) {
      out.write(data, start, data.length - start);
    }
  }

  private byte[] bytes(JsonNode repo, String file) {
    return Base64.getDecoder().decode(repo.get("files").get(file).asText());
  }

  /** The ETag the Hub gives: SHA-256 for an LFS file, the git blob id otherwise. */
  private String etag(JsonNode repo, String file) {
    byte[] data = bytes(repo, file);
    for (JsonNode l : repo.get("lfs")) {
      if (l.asText().equals(file)) {
        return hex("SHA-256", data, null);
      }
    }
    return hex("SHA-1", data, ("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
  }

  private static String hex(String algorithm, byte[] data, byte[] header) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance(algorithm);
      if (header != null) {
        md.update(header);
      }
      return java.util.HexFormat.of().formatHex(md.digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode find(String kind, String id) {
    for (JsonNode repo : repos) {
      if (repo.get("kind").asText().equals(kind) && repo.get("id").asText().equals(id)) {
        return repo;
      }
    }
    return null;
  }

  private static boolean knows(JsonNode repo, String revision) {
    for (JsonNode ref : repo.get("refs")) {
      if (ref.asText().equals(revision)) {
        return true;
      }
    }
    return repo.get("commit").asText().equals(revision);
  }

  private static void notFound(HttpExchange x) throws IOException {
    x.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
    x.sendResponseHeaders(404, -1);
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
  }
}
