package io.kubetune.operator.pods;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.kubetune.api.SourceUri;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every PersistentVolumeClaim named by pvc:// URIs, mounted at /mnt/pvc/&lt;claim&gt; (the
 * trainer's KUBETUNE_PVC_ROOT): read-only, except the claims that receive output.
 */
public final class ClaimMounts {
  public static final String ROOT = "/mnt/pvc";
  public static final String ROOT_ENV = "KUBETUNE_PVC_ROOT";

  /** claim name -> writable. */
  private final SortedMap<String, Boolean> claims = new TreeMap<>();

  /** Adds the claim of a pvc:// URI (file:// URIs need no volume). */
  public ClaimMounts add(String field, String uri, boolean writable) {
    SourceUri parsed = SourceUri.parse(field, uri);
    if ("pvc".equals(parsed.scheme())) {
      claims.merge(parsed.claim(), writable, Boolean::logicalOr);
    }
    return this;
  }

  public List<Volume> volumes() {
    List<Volume> volumes = new ArrayList<>();
    int i = 0;
    for (var claim : claims.entrySet()) {
      volumes.add(
          new VolumeBuilder()
              .withName("pvc-" + i++)
              .withNewPersistentVolumeClaim()
              .withClaimName(claim.getKey())
              .withReadOnly(claim.getValue() ? null : true)
              .endPersistentVolumeClaim()
              .build());
    }
    return volumes;
  }

  public List<VolumeMount> mounts() {
    List<VolumeMount> mounts = new ArrayList<>();
    int i = 0;
    for (var claim : claims.entrySet()) {
      mounts.add(
          new VolumeMountBuilder()
              .withName("pvc-" + i++)
              .withMountPath(ROOT + "/" + claim.getKey())
              .withReadOnly(claim.getValue() ? null : true)
              .build());
    }
    return mounts;
  }

  /** Where a source URI is inside the pod. */
  public static String localPath(String field, String uri) {
    return SourceUri.parse(field, uri).resolve(Path.of(ROOT)).toString();
  }
}
