package io.kubetune.operator.pods;

import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;

/**
 * The "restricted" Pod Security Standard for the trainer and server pods: non-root, read-only root
 * file system, no privilege escalation, all capabilities dropped, the runtime's seccomp profile.
 * The only writable paths are an emptyDir at /tmp (HOME and the DJL cache) and the output volume.
 */
public final class Restricted {
  private Restricted() {}

  public static final long UID = 1000L;
  public static final String TMP = "/tmp";
  public static final String TMP_VOLUME = "tmp";

  public static PodSecurityContext pod() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(UID)
        .withRunAsGroup(UID)
        .withFsGroup(UID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  public static SecurityContext container() {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  public static Volume tmpVolume() {
    return new VolumeBuilder()
        .withName(TMP_VOLUME)
        .withEmptyDir(new EmptyDirVolumeSource())
        .build();
  }

  public static VolumeMount tmpMount() {
    return new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath(TMP).build();
  }

  /** HOME and the DJL cache on the writable /tmp. */
  public static List<EnvVar> writableEnv() {
    return List.of(new EnvVar("HOME", TMP, null), new EnvVar("DJL_CACHE_DIR", TMP + "/djl", null));
  }
}
