package io.kubetune.trainer.config;

import io.kubetune.api.SourceUri;
import io.kubetune.trainer.sources.HfHub;
import io.kubetune.trainer.sources.HfSettings;
import io.kubetune.trainer.sources.S3Objects;
import io.kubetune.trainer.sources.S3Settings;
import java.nio.file.Path;
import java.util.Map;

/**
 * Local paths of source URIs: {@code file:///abs} as is, {@code pvc://claim/path} under the folder
 * where claims are mounted ({@code $KUBETUNE_PVC_ROOT/claim/path}, default {@code /mnt/pvc}, where
 * the operator mounts each claim), {@code hf://} in the HuggingFace cache ({@link HfHub}, fetched
 * into it when missing) and {@code s3://} in the source cache ({@code $KUBETUNE_SOURCE_CACHE},
 * default {@code ~/.cache/kubetune/sources}; {@link S3Objects}).
 */
public final class SourceResolver {
  public static final String PVC_ROOT_ENV = "KUBETUNE_PVC_ROOT";
  public static final String SOURCE_CACHE_ENV = "KUBETUNE_SOURCE_CACHE";
  public static final Path DEFAULT_PVC_ROOT = Path.of("/mnt/pvc");

  private final Path pvcRoot;
  private final HfHub hub;
  private final S3Objects s3;

  /** Local sources only, plus remote ones with the defaults (no credentials, the home caches). */
  public SourceResolver(Path pvcRoot) {
    this(pvcRoot, Map.of());
  }

  public SourceResolver(Path pvcRoot, Map<String, String> env) {
    this.pvcRoot = pvcRoot;
    this.hub = new HfHub(HfSettings.fromEnvironment(env));
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    String cache = env.get(SOURCE_CACHE_ENV);
    this.s3 =
        new S3Objects(
            S3Settings.fromEnvironment(env),
            cache == null || cache.isBlank()
                ? Path.of(home, ".cache", "kubetune", "sources")
                : Path.of(cache));
  }

  public static SourceResolver fromEnvironment(Map<String, String> env) {
    String root = env.get(PVC_ROOT_ENV);
    return new SourceResolver(
        root == null || root.isBlank() ? DEFAULT_PVC_ROOT : Path.of(root), env);
  }

  public Path pvcRoot() {
    return pvcRoot;
  }

  /**
   * A local file or folder (file://, pvc://), or a folder fetched from a remote source: a model.
   *
   * @throws IllegalArgumentException naming {@code field} for an unsupported or unsafe URI
   */
  public Path resolve(String field, String uri) {
    return fetch(field, uri, true);
  }

  /** A single file: a dataset; an s3:// URI names one object. */
  public Path resolveFile(String field, String uri) {
    return fetch(field, uri, false);
  }

  private Path fetch(String field, String uri, boolean folder) {
    SourceUri parsed = SourceUri.parse(field, uri);
    return switch (parsed.scheme()) {
      case "hf" -> hub.resolve(field, parsed);
      case "s3" -> folder ? s3.folder(field, parsed) : s3.file(field, parsed);
      default -> parsed.resolve(pvcRoot);
    };
  }
}
