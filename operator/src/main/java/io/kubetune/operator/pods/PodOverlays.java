package io.kubetune.operator.pods;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.kubetune.operator.crd.PodOverlay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Applies a user's {@link PodOverlay} (labels, annotations, env, serviceAccountName) to the pods
 * the operator builds; on a clash the operator's own values win, so selectors, rendezvous and the
 * restricted settings cannot be broken by an overlay.
 */
public final class PodOverlays {
  private PodOverlays() {}

  /** The user's labels, then the operator's. */
  public static Map<String, String> labels(PodOverlay overlay, Map<String, String> own) {
    return merge(overlay == null ? null : overlay.labels(), own);
  }

  /** The user's annotations, then the operator's. */
  public static Map<String, String> annotations(PodOverlay overlay, Map<String, String> own) {
    return merge(overlay == null ? null : overlay.annotations(), own);
  }

  /** The user's variables whose names the operator does not set, then the operator's. */
  public static List<EnvVar> env(PodOverlay overlay, List<EnvVar> own) {
    Set<String> ownNames = own.stream().map(EnvVar::getName).collect(Collectors.toSet());
    List<EnvVar> env = new ArrayList<>();
    if (overlay != null && overlay.env() != null) {
      overlay.env().stream().filter(e -> !ownNames.contains(e.getName())).forEach(env::add);
    }
    env.addAll(own);
    return env;
  }

  public static String serviceAccountName(PodOverlay overlay) {
    return overlay == null ? null : overlay.serviceAccountName();
  }

  /** No API token in the pods unless the user named a ServiceAccount (then its default applies). */
  public static Boolean automountServiceAccountToken(PodOverlay overlay) {
    return serviceAccountName(overlay) == null ? false : null;
  }

  private static Map<String, String> merge(Map<String, String> user, Map<String, String> own) {
    Map<String, String> merged = new LinkedHashMap<>();
    if (user != null) {
      merged.putAll(user);
    }
    merged.putAll(own);
    return merged;
  }
}
