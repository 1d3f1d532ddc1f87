package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
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
import io.kubetune.operator.pods.PodOverlays;
import io.kubetune.operator.pods.PodSkeleton;
import io.kubetune.operator.pods.Restricted;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The trainer pod template: one pod per node, rank from the Job's completion index. */
public final class TrainingPod {
  public static final String CONTAINER = "trainer";
  public static final int RENDEZVOUS_PORT = 29500;
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
    PodSkeleton.Placement placement =
        PodSkeleton.Placement.of(res, res.effectiveGpus(), defaultImage);
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(PodOverlays.labels(overlay, Labels.trainer(names.job())))
        .withAnnotations(
            PodOverlays.annotations(
                overlay, Map.of("kubectl.kubernetes.io/default-container", CONTAINER)))
        .endMetadata()
        .withSpec(
            PodSkeleton.spec(overlay, placement)
                .withRestartPolicy("Never")
                .withSubdomain(names.service())
                .addToContainers(
                    PodSkeleton.container(CONTAINER, placement)
                        .withArgs("train", "-f", TrainingConfig.PATH)
                        .withEnv(PodOverlays.env(overlay, env(names, res, job)))
                        .withPorts(
                            new ContainerPortBuilder()
                                .withName("rendezvous")
                                .withContainerPort(RENDEZVOUS_PORT)
                                .build(),
                            new ContainerPortBuilder()
                                .withName("status")
                                .withContainerPort(TrainingProgress.PORT)
                                .build())
                        .withVolumeMounts(mounts)
                        .build())
                .withVolumes(volumes)
                .build())
        .build();
  }

  /**
   * The claims of the model (and its vision tower), the datasets (and their image folders) and the
   * output; only the output's is writable.
   */
  public static ClaimMounts claims(FineTuneJob job) {
    FineTuneJobSpec spec = job.getSpec();
    ClaimMounts claims = new ClaimMounts();
    claims.add("spec.model.source", spec.model().source(), false);
    if (spec.model().visionTower() != null) {
      claims.add("spec.model.visionTower", spec.model().visionTower(), false);
    }
    for (int i = 0; i < spec.datasets().size(); i++) {
      claims.add("spec.datasets[" + i + "].source", spec.datasets().get(i).source(), false);
      String images = spec.datasets().get(i).imageFolder();
      if (images != null) {
        claims.add("spec.datasets[" + i + "].imageFolder", images, false);
      }
    }
    claims.add("spec.output.path", TrainingConfig.outputUri(job), true);
    return claims;
  }

  /**
   * torchrun's contract, nproc-per-node style: WORLD_SIZE = nodes x ranks per node, NODE_RANK = the
   * pod's completion index. With one rank per pod (CPU, or one GPU) the pod is the rank: RANK =
   * NODE_RANK, LOCAL_RANK = 0. With several, the trainer starts KUBETUNE_NPROC_PER_NODE ranks
   * itself (RANK = NODE_RANK x that + LOCAL_RANK), so RANK is not set on the pod.
   */
  private static List<EnvVar> env(TrainingNames names, ResourcesSpec res, FineTuneJob job) {
    List<EnvVar> env = new ArrayList<>();
    env.add(plain("MASTER_ADDR", names.rank0Host()));
    env.add(plain("MASTER_PORT", Integer.toString(RENDEZVOUS_PORT)));
    env.add(plain("WORLD_SIZE", Integer.toString(res.worldSize())));
    env.add(completionIndex("NODE_RANK"));
    env.add(plain("KUBETUNE_NPROC_PER_NODE", Integer.toString(res.ranksPerNode())));
    if (res.ranksPerNode() == 1) {
      env.add(completionIndex("RANK"));
      env.add(plain("LOCAL_RANK", "0"));
    }
    env.add(plain("KUBETUNE_STATUS_PORT", Integer.toString(TrainingProgress.PORT)));
    env.add(plain(ClaimMounts.ROOT_ENV, ClaimMounts.ROOT));
    env.addAll(Restricted.writableEnv());
    env.addAll(SourceAccess.env(job));
    return env;
  }

  private static EnvVar completionIndex(String name) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(COMPLETION_INDEX)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  static EnvVar plain(String name, String value) {
    return new EnvVar(name, value, null);
  }
}
