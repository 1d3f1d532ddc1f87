package io.kubetune.operator.serve;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.GenerationDefaults;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.crd.ModelServeSpec;
import io.kubetune.operator.crd.PodOverlay;
import io.kubetune.operator.crd.ServeResourcesSpec;
import io.kubetune.operator.pods.ClaimMounts;
import io.kubetune.operator.pods.PodOverlays;
import io.kubetune.operator.pods.PodSkeleton;
import io.kubetune.operator.pods.Restricted;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Deployment running {@code kubetune serve}. */
public final class ServerDeployment {
  public static final String CONTAINER = "server";

  /**
   * On a rolling update or scale-down the pod keeps serving for this long before it gets SIGTERM (a
   * preStop sleep), so that Services and ingresses stop sending it new connections first.
   */
  static final int PRE_STOP_SECONDS = 5;

  /** After SIGTERM, the requests in progress get this long to finish (serve --drain-timeout). */
  static final int DRAIN_SECONDS = 30;

  /** The pod's grace period: the preStop sleep, the drain, and time for the JVM to exit. */
  static final long GRACE_SECONDS = PRE_STOP_SECONDS + DRAIN_SECONDS + 10;

  private ServerDeployment() {}

  /**
   * @param model the resolved model URI (spec.model, or the FineTuneJob's artifact)
   */
  public static Deployment build(ModelServe ms, String model, String defaultImage) {
    ModelServeSpec spec = ms.getSpec();
    ServeResourcesSpec res = spec.effectiveResources();
    ServingNames names = new ServingNames(ms.getMetadata().getName(), null);
    PodOverlay overlay = spec.template();

    ClaimMounts claims = new ClaimMounts().add("spec.model", model, false);
    if (spec.adapter() != null) {
      claims.add("spec.adapter", spec.adapter(), false);
    }
    List<Volume> volumes = new ArrayList<>();
    volumes.add(Restricted.tmpVolume());
    volumes.addAll(claims.volumes());
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(Restricted.tmpMount());
    mounts.addAll(claims.mounts());

    PodSkeleton.Placement placement =
        PodSkeleton.Placement.of(res, res.effectiveGpus(), defaultImage);
    Map<String, String> podLabels = PodOverlays.labels(overlay, Labels.server(names.name()));
    Map<String, String> podAnnotations =
        PodOverlays.annotations(
            overlay, Map.of("kubectl.kubernetes.io/default-container", CONTAINER));

    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(names.deployment())
        .withNamespace(ms.getMetadata().getNamespace())
        .withLabels(Labels.server(names.name()))
        .endMetadata()
        .withNewSpec()
        .withReplicas(
            spec.autoscaling() != null ? null : spec.replicas() == null ? 1 : spec.replicas())
        .withNewSelector()
        .withMatchLabels(Map.of(Labels.MODELSERVE, names.name()))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(podAnnotations)
        .endMetadata()
        .withSpec(
            PodSkeleton.spec(overlay, placement)
                .withTerminationGracePeriodSeconds(GRACE_SECONDS)
                .addToContainers(
                    PodSkeleton.container(CONTAINER, placement)
                        .withArgs(args(spec, model))
                        .withEnv(env(spec))
                        .addNewPort()
                        .withName("http")
                        .withContainerPort(ServingNames.HTTP_PORT)
                        .endPort()
                        .withStartupProbe(probe(10, 60))
                        .withReadinessProbe(probe(10, 3))
                        .withLivenessProbe(probe(20, 3))
                        .withNewLifecycle()
                        .withNewPreStop()
                        .withNewSleep((long) PRE_STOP_SECONDS)
                        .endPreStop()
                        .endLifecycle()
                        .withVolumeMounts(mounts)
                        .build())
                .withVolumes(volumes)
                .build())
        .endTemplate()
        .endSpec()
        .build();
  }

  static List<String> args(ModelServeSpec spec, String model) {
    List<String> args = new ArrayList<>();
    args.add("serve");
    args.add("--model");
    args.add(ClaimMounts.localPath("spec.model", model));
    if (spec.adapter() != null) {
      args.add("--adapter");
      args.add(ClaimMounts.localPath("spec.adapter", spec.adapter()));
    }
    args.add("--port");
    args.add(Integer.toString(ServingNames.HTTP_PORT));
    args.add("--drain-timeout");
    args.add(Integer.toString(DRAIN_SECONDS));
    GenerationDefaults gen = spec.generation();
    if (gen != null && gen.maxTokens() != null) {
      args.add("--max-tokens");
      args.add(gen.maxTokens().toString());
    }
    if (gen != null && gen.temperature() != null) {
      args.add("--temperature");
      args.add(gen.temperature().toString());
    }
    return args;
  }

  private static List<EnvVar> env(ModelServeSpec spec) {
    List<EnvVar> own = new ArrayList<>();
    own.add(new EnvVar(ClaimMounts.ROOT_ENV, ClaimMounts.ROOT, null));
    own.addAll(Restricted.writableEnv());
    if (spec.apiKeySecretRef() != null) {
      own.add(
          new EnvVarBuilder()
              .withName("KUBETUNE_API_KEY")
              .withNewValueFrom()
              .withNewSecretKeyRef()
              .withName(spec.apiKeySecretRef().name())
              .withKey(spec.apiKeySecretRef().effectiveKey())
              .endSecretKeyRef()
              .endValueFrom()
              .build());
    }
    return PodOverlays.env(spec.template(), own);
  }

  private static Probe probe(int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withHttpGet(
            new HTTPGetActionBuilder()
                .withPath("/health")
                .withPort(new IntOrString("http"))
                .build())
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failureThreshold)
        .build();
  }
}
