package io.kubetune.operator.pods;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * GPU node pools are tainted {@code nvidia.com/gpu=<any>:NoSchedule} (GKE, the NVIDIA GPU
 * operator's docs, this project's test cluster). A pod that requests {@code nvidia.com/gpu} gets
 * the toleration that Kubernetes' ExtendedResourceToleration admission plugin would add, since that
 * plugin is off by default: {@code {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}},
 * unless the user's tolerations already cover every such taint.
 */
public final class GpuToleration {
  public static final String GPU = "nvidia.com/gpu";

  private GpuToleration() {}

  public static Toleration toleration() {
    return new TolerationBuilder()
        .withKey(GPU)
        .withOperator("Exists")
        .withEffect("NoSchedule")
        .build();
  }

  /**
   * The pod's tolerations: the user's, in their order, plus the GPU toleration when the pod asks
   * for GPUs and none of the user's covers it. Null when there are none (an absent field).
   */
  public static List<Toleration> tolerations(List<Toleration> user, int gpus) {
    List<Toleration> all = user == null ? new ArrayList<>() : new ArrayList<>(user);
    if (gpus > 0 && all.stream().noneMatch(GpuToleration::coversGpuTaint)) {
      all.add(toleration());
    }
    return all.isEmpty() ? null : all;
  }

  /**
   * True when the toleration tolerates {@code nvidia.com/gpu=<any value>:NoSchedule}: key
   * nvidia.com/gpu (or empty: every key), operator Exists, effect NoSchedule (or empty: every
   * effect). An Equal toleration covers one value of the taint only, so it does not count.
   */
  static boolean coversGpuTaint(Toleration t) {
    boolean key = t.getKey() == null || t.getKey().isEmpty() || GPU.equals(t.getKey());
    boolean exists = "Exists".equals(t.getOperator());
    boolean effect =
        t.getEffect() == null || t.getEffect().isEmpty() || "NoSchedule".equals(t.getEffect());
    return key && exists && effect;
  }
}
