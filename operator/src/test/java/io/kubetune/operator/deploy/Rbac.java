package io.kubetune.operator.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** RBAC rules flattened to "group/resource:verb" permissions. */
final class Rbac {
  private Rbac() {}

  static final Path REPO = Path.of(System.getProperty("kubetune.repoRoot", ".."));
  static final Path DEPLOY = REPO.resolve("deploy/operator");

  static List<HasMetadata> read(Path file) {
    try {
      List<HasMetadata> objects = new ArrayList<>();
      for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
        if (!doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
          objects.add(Serialization.unmarshal(doc));
        }
      }
      return objects;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<PolicyRule> rules(List<HasMetadata> objects) {
    List<PolicyRule> rules = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRole cr && cr.getRules() != null) {
        rules.addAll(cr.getRules());
      } else if (o instanceof Role r && r.getRules() != null) {
        rules.addAll(r.getRules());
      }
    }
    return rules;
  }

  static Set<String> permissions(List<PolicyRule> rules) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule r : rules) {
      for (String g : r.getApiGroups()) {
        for (String res : r.getResources()) {
          for (String v : r.getVerbs()) {
            out.add(g + "/" + res + ":" + v);
          }
        }
      }
    }
    return out;
  }

  static boolean hasWildcard(List<PolicyRule> rules) {
    return rules.stream()
        .anyMatch(
            r ->
                contains(r.getApiGroups())
                    || contains(r.getResources())
                    || contains(r.getVerbs())
                    || contains(r.getResourceNames())
                    || contains(r.getNonResourceURLs()));
  }

  private static boolean contains(List<String> values) {
    return values != null && values.stream().anyMatch(v -> v.contains("*"));
  }
}
