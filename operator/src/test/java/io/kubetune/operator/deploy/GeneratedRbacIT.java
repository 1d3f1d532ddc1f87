package io.kubetune.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * After `package`: the RBAC that the Quarkus Operator SDK generates from the controllers
 * (target/kubernetes/kubernetes.yml) has no wildcards, and deploy/operator grants every permission
 * it lists on the owned objects. (The generated roles also allow create/update/delete of the
 * primary resources and their finalizers, which the operator never uses; the hand-written role
 * leaves them out.)
 */
class GeneratedRbacIT {

  @Test
  void generatedRbacHasNoWildcardsAndIsCoveredByTheInstallManifests() throws Exception {
    Path generated = Rbac.REPO.resolve("operator/target/kubernetes/kubernetes.yml");
    assertThat(generated).exists();
    List<PolicyRule> rules = Rbac.rules(Rbac.read(generated));
    assertThat(rules).isNotEmpty();
    assertThat(Rbac.hasWildcard(rules)).isFalse();
    assertThat(Files.readString(generated)).doesNotContain("\"*\"").doesNotContain("- '*'");

    Set<String> needed = new TreeSet<>();
    for (String p : Rbac.permissions(rules)) {
      boolean primary = p.startsWith("kubetune.io/finetunejobs") || p.contains("/finalizers");
      boolean primaryWrite =
          p.startsWith("kubetune.io/modelserves/status:")
              && !p.endsWith(":patch")
              && !p.endsWith(":update")
              && !p.endsWith(":get");
      if (!primary && !primaryWrite) {
        needed.add(p);
      }
    }
    List<PolicyRule> installed = new java.util.ArrayList<>();
    for (String f : List.of("clusterrole.yaml", "leader-election-role.yaml")) {
      installed.addAll(Rbac.rules(Rbac.read(Rbac.DEPLOY.resolve(f))));
    }
    Set<String> granted = Rbac.permissions(installed);
    // the hand-written role never updates a PersistentVolumeClaim (created once)
    needed.remove("/persistentvolumeclaims:update");
    assertThat(granted).containsAll(needed);
  }
}
