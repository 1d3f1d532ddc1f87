package io.kubetune.operator.crd;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Finds out why a custom resource came without a spec ({@link Tolerant}): reads the object as the
 * API server stores it, with no Java type in between, and explains its spec ({@link SpecProblem}).
 * One GET, only for such objects.
 */
@ApplicationScoped
public class SpecReader {
  @Inject KubernetesClient client;

  /**
   * @return the problem, or empty when the stored spec reads now (it changed meanwhile: the
   *     informer brings the new version)
   */
  public Optional<String> problem(HasMetadata resource, Class<?> specType) {
    GenericKubernetesResource stored =
        client
            .genericKubernetesResources(
                ResourceDefinitionContext.fromResourceType(resource.getClass()))
            .inNamespace(resource.getMetadata().getNamespace())
            .withName(resource.getMetadata().getName())
            .get();
    return stored == null
        ? Optional.empty()
        : SpecProblem.of(stored.getAdditionalProperties().get("spec"), specType);
  }
}
