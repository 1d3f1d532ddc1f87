package io.kubetune.operator.crd;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * What the CRD generator does not write from annotations, added to every generated CRD so that it
 * cannot be forgotten: {@link IntegerBounds} on every integer, and {@code metadata.name} declared
 * as a string, so that the name rules can point at it ({@code fieldPath: .metadata.name}; without
 * it the API server prints their field as {@code <nil>}), and Kubernetes' own 1-100 bound on the
 * weights of preferred scheduling terms (the affinity types carry no bounds; without it a job is
 * accepted whose pods the API server then refuses). It also drops the second copy of a rule on a
 * record component: the generator reads the annotation on both the component's field and its
 * accessor.
 */
final class CrdPostProcessing implements CRDPostProcessor {
  private static final Map<String, Class<?>> KINDS =
      Map.of("FineTuneJob", FineTuneJob.class, "ModelServe", ModelServe.class);

  @Override
  public HasMetadata process(HasMetadata generated, String crdSpecVersion) {
    CustomResourceDefinition crd = (CustomResourceDefinition) generated;
    Class<?> type = KINDS.get(crd.getSpec().getNames().getKind());
    JSONSchemaProps schema = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    IntegerBounds.apply(schema, type);
    dropRepeatedRules(schema);
    boundSchedulingWeights(schema);
    schema
        .getProperties()
        .put(
            "metadata",
            new JSONSchemaPropsBuilder()
                .withType("object")
                .addToProperties("name", new JSONSchemaPropsBuilder().withType("string").build())
                .build());
    return crd;
  }

  /** Pod validation: a preferred scheduling term's weight must be in the range 1-100. */
  private static void boundSchedulingWeights(JSONSchemaProps s) {
    if (s == null) {
      return;
    }
    if (s.getProperties() != null) {
      s.getProperties()
          .forEach(
              (name, p) -> {
                if ("preferredDuringSchedulingIgnoredDuringExecution".equals(name)
                    && p.getItems() != null
                    && p.getItems().getSchema().getProperties().containsKey("weight")) {
                  JSONSchemaProps weight = p.getItems().getSchema().getProperties().get("weight");
                  weight.setMinimum(1.0);
                  weight.setMaximum(100.0);
                }
                boundSchedulingWeights(p);
              });
    }
    if (s.getItems() != null) {
      boundSchedulingWeights(s.getItems().getSchema());
    }
    if (s.getAdditionalProperties() != null) {
      boundSchedulingWeights(s.getAdditionalProperties().getSchema());
    }
  }

  private static void dropRepeatedRules(JSONSchemaProps s) {
    if (s == null) {
      return;
    }
    if (s.getXKubernetesValidations() != null) {
      s.setXKubernetesValidations(
          new ArrayList<>(new LinkedHashSet<>(s.getXKubernetesValidations())));
    }
    if (s.getProperties() != null) {
      s.getProperties().values().forEach(CrdPostProcessing::dropRepeatedRules);
    }
    if (s.getItems() != null) {
      dropRepeatedRules(s.getItems().getSchema());
    }
    if (s.getAdditionalProperties() != null) {
      dropRepeatedRules(s.getAdditionalProperties().getSchema());
    }
  }
}
