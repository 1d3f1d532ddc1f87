package io.kubetune.operator.pods;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Why a pod that should run does not start, in the scheduler's or the kubelet's own words: the pod
 * cannot be scheduled (a missing claim, no node with free GPUs, a taint), its image cannot be
 * pulled, or its container cannot be created (a missing ConfigMap or Secret key).
 *
 * <p>Only an invalid image name is {@link #permanent()}: the kubelet never retries it and only a
 * spec change helps. The others can resolve without one (the claim is created, the image is pushed,
 * a node is added or freed), so the job waits and shows the reason; {@code activeDeadlineSeconds}
 * bounds the wait.
 */
public record PodTrouble(String pod, String reason, String message, boolean permanent) {

  /** Kubelet reasons for a container that waits and will not start by itself soon. */
  static final Set<String> CONTAINER_REASONS =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "ErrImageNeverPull",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  static final String INVALID_IMAGE_NAME = "InvalidImageName";
  static final String UNSCHEDULABLE = "Unschedulable";
  static final String ERR_IMAGE_PULL = "ErrImagePull";

  /** Every reason this reports (ImagePullBackOff, which alternates with it, is ErrImagePull). */
  public static final Set<String> REASONS =
      Set.of(
          UNSCHEDULABLE,
          ERR_IMAGE_PULL,
          INVALID_IMAGE_NAME,
          "ErrImageNeverPull",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  /** Pod name: the reason's message. */
  public String describe() {
    return "pod " + pod + ": " + message;
  }

  /**
   * The first trouble of the pods that are neither running nor finished, pods in name order; a
   * container's trouble before scheduling trouble (a scheduled pod is further along).
   */
  public static Optional<PodTrouble> of(Collection<Pod> pods) {
    List<Pod> waiting =
        pods.stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(p -> p.getStatus() != null && "Pending".equals(p.getStatus().getPhase()))
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
    return waiting.stream()
        .flatMap(PodTrouble::container)
        .findFirst()
        .or(() -> waiting.stream().flatMap(PodTrouble::unschedulable).findFirst());
  }

  private static Stream<PodTrouble> container(Pod pod) {
    List<ContainerStatus> statuses = pod.getStatus().getContainerStatuses();
    if (statuses == null) {
      return Stream.empty();
    }
    return statuses.stream()
        .filter(c -> c.getState() != null && c.getState().getWaiting() != null)
        .map(c -> c.getState().getWaiting())
        .filter(w -> CONTAINER_REASONS.contains(w.getReason()))
        .map(
            w ->
                new PodTrouble(
                    pod.getMetadata().getName(),
                    "ImagePullBackOff".equals(w.getReason()) ? ERR_IMAGE_PULL : w.getReason(),
                    w.getMessage() == null ? w.getReason() : w.getMessage(),
                    INVALID_IMAGE_NAME.equals(w.getReason())));
  }

  private static Stream<PodTrouble> unschedulable(Pod pod) {
    List<PodCondition> conditions = pod.getStatus().getConditions();
    if (conditions == null) {
      return Stream.empty();
    }
    return conditions.stream()
        .filter(
            c ->
                "PodScheduled".equals(c.getType())
                    && "False".equals(c.getStatus())
                    && "Unschedulable".equals(c.getReason()))
        .map(
            c ->
                new PodTrouble(
                    pod.getMetadata().getName(),
                    UNSCHEDULABLE,
                    c.getMessage() == null ? "no node fits the pod" : c.getMessage(),
                    false));
  }
}
