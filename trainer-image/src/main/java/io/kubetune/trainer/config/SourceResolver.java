package io.kubetune.trainer.config;

import io.kubetune.api.SourceUri;
import java.nio.file.Path;
import java.util.Map;

/**
 * Local paths of source URIs: {@code file:///abs} as is, {@code pvc://claim/path} under the folder
 * where claims are mounted ({@code $KUBETUNE_PVC_ROOT/claim/path}, default {@code /mnt/pvc}, where
 * the operator mounts each claim).
 */
public record SourceResolver(Path pvcRoot) {
  public static final String PVC_ROOT_ENV = "KUBETUNE_PVC_ROOT";
  public static final Path DEFAULT_PVC_ROOT = Path.of("/mnt/pvc");

  public static SourceResolver fromEnvironment(Map<String, String> env) {
    String root = env.get(PVC_ROOT_ENV);
    return new SourceResolver(root == null || root.isBlank() ? DEFAULT_PVC_ROOT : Path.of(root));
  }

  /**
   * @throws IllegalArgumentException naming {@code field} for an unsupported or unsafe URI
   */
  public Path resolve(String field, String uri) {
    return SourceUri.parse(field, uri).resolve(pvcRoot);
  }
}
