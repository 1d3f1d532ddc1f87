package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobSpec;
import io.kubetune.operator.crd.PodOverlay;
import io.kubetune.operator.crd.ResourcesSpec;
import io.kubetune.operator.pods.ClaimMounts;
import io.kubetune.operator.pods.GpuToleration;
import io.kubetune.operator.pods.PodOverlays;
import io.kubetune.operator.pods.Restricted;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The trainer pod template: one pod per node, rank from the Job's completion index. */
public final class TrainingPod {
  public static final String CONTAINER = "trainer";
  public static final int RENDEZVOUS_PORT = 29500;
  public static final String GPU = GpuToleration.GPU;
  public static final String COMPLETION_INDEX =
      "metadata.annotations['batch.kubernetes.io/job-completion-index']";

  private TrainingPod() {}

  public static PodTemplateSpec build(FineTuneJob job, String defaultImage) {
    FineTuneJobSpec spec = job.getSpec();
    ResourcesSpec res = spec.effectiveResources();
    TrainingNames names = new TrainingNames(job.getMetadata().getName());
    ClaimMounts claims = claims(job);

    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("config")
            .withNewConfigMap()
            .withName(names.configMap())
            .endConfigMap()
            .build());
    volumes.add(Restricted.tmpVolume());
    volumes.addAll(claims.volumes());
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(
        new VolumeMountBuilder()
            .withName("config")
            .withMountPath(TrainingConfig.MOUNT_DIR)
            .withReadOnly(true)
            .build());
    mounts.add(Restricted.tmpMount());
    mounts.addAll(claims.mounts());

    PodOverlay overlay = spec.template();
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(PodOverlays.labels(overlay, Labels.trainer(names.job())))
        .withAnnotations(
            PodOverlays.annotations(
                overlay, Map.of("kubectl.kubernetes.io/default-container", CONTAINER)))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withSubdomain(names.service())
        .withServiceAccountName(PodOverlays.serviceAccountName(overlay))
        .withAutomountServiceAccountToken(PodOverlays.automountServiceAccountToken(overlay))
        .withEnableServiceLinks(false)
        .withSecurityContext(Restricted.pod())
        .withPriorityClassName(res.priorityClassName())
        .withNodeSelector(res.nodeSelector())
        .withTolerations(GpuToleration.tolerations(res.tolerations(), res.effectiveGpus()))
        .withAffinity(res.affinity())
        .addToContainers(
            new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(res.image() != null ? res.image() : defaultImage)
                .withImagePullPolicy("IfNotPresent")
                .withArgs("train", "-f", TrainingConfig.PATH)
                .withEnv(PodOverlays.env(overlay, env(names, res)))
                .withPorts(
                    new ContainerPortBuilder()
                        .withName("rendezvous")
                        .withContainerPort(RENDEZVOUS_PORT)
                        .build(),
                    new ContainerPortBuilder()
                        .withName("status")
                        .withContainerPort(TrainingProgress.PORT)
                        .build())
                .withResources(resources(res))
                .withSecurityContext(Restricted.container())
                .withVolumeMounts(mounts)
                .build())
        .withVolumes(volumes)
        .endSpec()
        .build();
  }

  /** The claims of the model, the datasets and the output; only the output's is writable. */
  public static ClaimMounts claims(FineTuneJob job) {
    FineTuneJobSpec spec = job.getSpec();
    ClaimMounts claims = new ClaimMounts();
    claims.add("spec.model.source", spec.model().source(), false);
    for (int i = 0; i < spec.datasets().size(); i++) {
      claims.add("spec.datasets[" + i + "].source", spec.datasets().get(i).source(), false);
    }
    claims.add("spec.output.path", TrainingConfig.outputUri(job), true);
    return claims;
  }

  private static List<EnvVar> env(TrainingNames names, ResourcesSpec res) {
    List<EnvVar> env = new ArrayList<>();
    env.add(plain("MASTER_ADDR", names.rank0Host()));
    env.add(plain("MASTER_PORT", Integer.toString(RENDEZVOUS_PORT)));
    env.add(plain("WORLD_SIZE", Integer.toString(res.effectiveNodes())));
    env.add(
        new EnvVarBuilder()
            .withName("RANK")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath(COMPLETION_INDEX)
            .endFieldRef()
            .endValueFrom()
            .build());
    env.add(plain("LOCAL_RANK", "0"));
    env.add(plain("KUBETUNE_STATUS_PORT", Integer.toString(TrainingProgress.PORT)));
    env.add(plain(ClaimMounts.ROOT_ENV, ClaimMounts.ROOT));
    env.addAll(Restricted.writableEnv());
    return env;
  }

  private static ResourceRequirements resources(ResourcesSpec res) {
    Map<String, Quantity> amounts = new LinkedHashMap<>();
    if (res.cpu() != null) {
      amounts.put("cpu", new Quantity(res.cpu()));
    }
    if (res.memory() != null) {
      amounts.put("memory", new Quantity(res.memory()));
    }
    if (res.effectiveGpus() > 0) {
      amounts.put(GPU, new Quantity(Integer.toString(res.effectiveGpus())));
    }
    return new ResourceRequirementsBuilder().withRequests(amounts).withLimits(amounts).build();
  }

  static EnvVar plain(String name, String value) {
    return new EnvVar(name, value, null);
  }
}
