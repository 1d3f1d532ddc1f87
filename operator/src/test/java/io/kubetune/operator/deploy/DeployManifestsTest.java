package io.kubetune.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.operator.config.LeaderElection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** deploy/operator/: the kustomization that installs the operator. */
class DeployManifestsTest {

  private static List<HasMetadata> all() throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    for (String file : kustomizationResources()) {
      if (!file.startsWith("..")) {
        objects.addAll(Rbac.read(Rbac.DEPLOY.resolve(file)));
      }
    }
    return objects;
  }

  @SuppressWarnings("unchecked")
  private static List<String> kustomizationResources() throws IOException {
    Map<String, Object> k =
        Serialization.unmarshal(
            Files.readString(Rbac.DEPLOY.resolve("kustomization.yaml")), Map.class);
    return (List<String>) k.get("resources");
  }

  @Test
  void kustomizationInstallsTheCrdsAndEveryManifestHere() throws IOException {
    List<String> resources = kustomizationResources();
    assertThat(resources).contains("../../crds");
    try (Stream<Path> files = Files.list(Rbac.DEPLOY)) {
      assertThat(
              files
                  .map(p -> p.getFileName().toString())
                  .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")))
          .allMatch(resources::contains);
    }
  }

  @Test
  void rbacHasNoWildcards() throws IOException {
    assertThat(Rbac.hasWildcard(Rbac.rules(all()))).isFalse();
    for (String file : kustomizationResources()) {
      if (!file.startsWith("..")) {
        assertThat(Files.readString(Rbac.DEPLOY.resolve(file))).as(file).doesNotContain("'*'");
      }
    }
  }

  @Test
  void rbacGrantsWhatTheControllersNeedAndNoSecrets() throws IOException {
    var granted = Rbac.permissions(Rbac.rules(all()));
    List<String> crud = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    for (String owned :
        List.of(
            "/configmaps",
            "/services",
            "batch/jobs",
            "apps/deployments",
            "autoscaling/horizontalpodautoscalers",
            "kubetune.io/modelserves")) {
      crud.forEach(v -> assertThat(granted).contains(owned + ":" + v));
    }
    List.of("get", "list", "watch", "create", "patch", "delete")
        .forEach(v -> assertThat(granted).contains("/persistentvolumeclaims:" + v));
    List.of("get", "list", "watch")
        .forEach(v -> assertThat(granted).contains("kubetune.io/finetunejobs:" + v));
    assertThat(granted)
        .contains(
            "kubetune.io/finetunejobs/status:patch",
            "kubetune.io/modelserves/status:patch",
            "/events:create",
            "coordination.k8s.io/leases:get",
            "coordination.k8s.io/leases:create",
            "coordination.k8s.io/leases:update",
            "coordination.k8s.io/leases:patch")
        .contains("/pods:get", "/pods:list", "/pods:watch", "/namespaces:get")
        .doesNotContain("kubetune.io/finetunejobs:delete", "kubetune.io/finetunejobs:update")
        .noneMatch(p -> p.startsWith("/secrets") || p.startsWith("/pods/"))
        .noneMatch(p -> p.startsWith("/pods:") && !p.matches("/pods:(get|list|watch)"))
        .noneMatch(p -> p.startsWith("/namespaces:") && !p.equals("/namespaces:get"));
  }

  @Test
  void bindingsNameTheServiceAccountTheDeploymentRunsAs() throws IOException {
    List<HasMetadata> objects = all();
    Deployment d =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    String sa = d.getSpec().getTemplate().getSpec().getServiceAccountName();
    assertThat(sa).isEqualTo("kubetune-operator");
    objects.stream()
        .filter(ClusterRoleBinding.class::isInstance)
        .map(ClusterRoleBinding.class::cast)
        .forEach(
            b ->
                assertThat(b.getSubjects())
                    .allMatch(
                        s -> s.getName().equals(sa) && s.getNamespace().equals("kubetune-system")));
    objects.stream()
        .filter(RoleBinding.class::isInstance)
        .map(RoleBinding.class::cast)
        .forEach(b -> assertThat(b.getSubjects()).allMatch(s -> s.getName().equals(sa)));
  }

  @Test
  void deploymentRunsTwoRestrictedReplicasOfTheOperatorImage() throws IOException {
    Deployment d =
        all().stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(d.getMetadata().getNamespace()).isEqualTo("kubetune-system");
    assertThat(d.getSpec().getReplicas()).as("leader election makes 2 safe").isEqualTo(2);
    var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("kubetune/operator:0.1.0");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(LeaderElection.LEASE_NAME).isEqualTo("kubetune-operator");
  }
}
