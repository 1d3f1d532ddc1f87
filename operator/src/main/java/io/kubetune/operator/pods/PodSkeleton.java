package io.kubetune.operator.pods;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kubetune.operator.crd.PodOverlay;
import io.kubetune.operator.crd.PodResources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every pod the operator makes (trainer and server) has in common: the restricted security
 * context, no API token and no service links unless the overlay names a ServiceAccount, the
 * scheduling fields of the spec, the GPU toleration, and one container with the image, equal
 * requests and limits and the restricted container settings. The builders add their own command,
 * environment, ports, probes and volumes.
 */
public final class PodSkeleton {
  private PodSkeleton() {}

  /** Where and on what a pod runs, from a spec's resources. */
  public record Placement(
      String image,
      String cpu,
      String memory,
      int gpus,
      Map<String, String> nodeSelector,
      List<Toleration> tolerations,
      Affinity affinity,
      String priorityClassName) {

    /** The spec's resources with its GPUs per pod; its image, or the operator's default one. */
    public static Placement of(PodResources res, int gpus, String defaultImage) {
      return new Placement(
          res.image() != null ? res.image() : defaultImage,
          res.cpu(),
          res.memory(),
          gpus,
          res.nodeSelector(),
          res.tolerations(),
          res.affinity(),
          res.priorityClassName());
    }
  }

  /** The pod spec, without containers and volumes. */
  public static PodSpecBuilder spec(PodOverlay overlay, Placement placement) {
    return new PodSpecBuilder()
        .withServiceAccountName(PodOverlays.serviceAccountName(overlay))
        .withAutomountServiceAccountToken(PodOverlays.automountServiceAccountToken(overlay))
        .withEnableServiceLinks(false)
        .withSecurityContext(Restricted.pod())
        .withPriorityClassName(placement.priorityClassName())
        .withNodeSelector(placement.nodeSelector())
        .withTolerations(GpuToleration.tolerations(placement.tolerations(), placement.gpus()))
        .withAffinity(placement.affinity());
  }

  /** The one container, without command, environment, ports, probes and mounts. */
  public static ContainerBuilder container(String name, Placement placement) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(placement.image())
        .withImagePullPolicy("IfNotPresent")
        .withResources(resources(placement))
        .withSecurityContext(Restricted.container());
  }

  /** Requests equal to limits: CPU, memory and nvidia.com/gpu as the spec asks. */
  static ResourceRequirements resources(Placement placement) {
    Map<String, Quantity> amounts = new LinkedHashMap<>();
    if (placement.cpu() != null) {
      amounts.put("cpu", new Quantity(placement.cpu()));
    }
    if (placement.memory() != null) {
      amounts.put("memory", new Quantity(placement.memory()));
    }
    if (placement.gpus() > 0) {
      amounts.put(GpuToleration.GPU, new Quantity(Integer.toString(placement.gpus())));
    }
    return new ResourceRequirementsBuilder().withRequests(amounts).withLimits(amounts).build();
  }
}
