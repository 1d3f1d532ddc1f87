package io.kubetune.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuTolerationTest {
  private static final Toleration GPU = GpuToleration.toleration();

  private static Toleration t(String key, String operator, String value, String effect) {
    return new TolerationBuilder()
        .withKey(key)
        .withOperator(operator)
        .withValue(value)
        .withEffect(effect)
        .build();
  }

  @Test
  void aGpuPodWithoutTolerationsGetsTheGpuToleration() {
    assertThat(GpuToleration.tolerations(null, 1)).containsExactly(GPU);
    assertThat(GpuToleration.tolerations(List.of(), 8)).containsExactly(GPU);
    assertThat(GPU).isEqualTo(t("nvidia.com/gpu", "Exists", null, "NoSchedule"));
  }

  @Test
  void aCpuPodGetsNone() {
    assertThat(GpuToleration.tolerations(null, 0)).isNull();
    Toleration spot = t("spot", "Exists", null, "NoSchedule");
    assertThat(GpuToleration.tolerations(List.of(spot), 0)).containsExactly(spot);
  }

  @Test
  void theUsersTolerationsComeFirstAndStay() {
    Toleration spot = t("spot", "Equal", "true", "NoExecute");
    assertThat(GpuToleration.tolerations(List.of(spot), 2)).containsExactly(spot, GPU);
  }

  @Test
  void tolerationsThatCoverEveryGpuTaintAreEnough() {
    for (Toleration covering :
        List.of(
            t("nvidia.com/gpu", "Exists", null, "NoSchedule"),
            t("nvidia.com/gpu", "Exists", null, null),
            t("nvidia.com/gpu", "Exists", null, ""),
            t(null, "Exists", null, null),
            t("", "Exists", null, "NoSchedule"))) {
      assertThat(GpuToleration.tolerations(List.of(covering), 4))
          .as("%s", covering)
          .containsExactly(covering);
    }
  }

  @Test
  void tolerationsThatCoverOneValueOrAnotherEffectAreNot() {
    for (Toleration partial :
        List.of(
            t("nvidia.com/gpu", "Equal", "present", "NoSchedule"),
            t("nvidia.com/gpu", null, "present", "NoSchedule"),
            t("nvidia.com/gpu", "Exists", null, "NoExecute"),
            t("nvidia.com/gpu", "Exists", null, "PreferNoSchedule"),
            t("amd.com/gpu", "Exists", null, "NoSchedule"))) {
      assertThat(GpuToleration.tolerations(List.of(partial), 4))
          .as("%s", partial)
          .containsExactly(partial, GPU);
    }
  }
}
