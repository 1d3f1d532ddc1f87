package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CPU, memory, scheduling and image of the pods the operator creates: what a FineTuneJob's {@code
 * resources} (training pods) and a ModelServe's (server pods) share, declared once here. A class
 * rather than a record because records cannot inherit components (and the CRD generator does not
 * inline a {@code @JsonUnwrapped} one); its accessors read as a record's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class PodResources {
  @Size(max = CelRules.QUANTITY_MAX_LENGTH)
  @ValidationRule(value = CelRules.POSITIVE_QUANTITY, message = CelRules.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription(
      "CPU request and limit per pod, e.g. \"8\" or \"500m\" (a ModelServe's autoscaling needs it:"
          + " its target is CPU utilisation).")
  @JsonProperty("cpu")
  private final String cpu;

  @Size(max = CelRules.QUANTITY_MAX_LENGTH)
  @ValidationRule(value = CelRules.POSITIVE_QUANTITY, message = CelRules.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription("Memory request and limit per pod, e.g. \"64Gi\".")
  @JsonProperty("memory")
  private final String memory;

  @JsonPropertyDescription("Node labels the pods must match (pod.spec.nodeSelector).")
  @JsonProperty("nodeSelector")
  private final Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations added to the pods (pod.spec.tolerations).")
  @JsonProperty("tolerations")
  private final List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity rules for the pods (pod.spec.affinity).")
  @JsonProperty("affinity")
  private final Affinity affinity;

  @Size(max = 253)
  @JsonPropertyDescription("PriorityClass of the pods.")
  @JsonProperty("priorityClassName")
  private final String priorityClassName;

  @Size(max = 512)
  @JsonPropertyDescription(
      "Container image (default: the operator's kubetune.trainer.image, which trains and serves).")
  @JsonProperty("image")
  private final String image;

  protected PodResources(
      String cpu,
      String memory,
      Map<String, String> nodeSelector,
      List<Toleration> tolerations,
      Affinity affinity,
      String priorityClassName,
      String image) {
    this.cpu = cpu;
    this.memory = memory;
    this.nodeSelector = nodeSelector;
    this.tolerations = tolerations;
    this.affinity = affinity;
    this.priorityClassName = priorityClassName;
    this.image = image;
  }

  public String cpu() {
    return cpu;
  }

  public String memory() {
    return memory;
  }

  public Map<String, String> nodeSelector() {
    return nodeSelector;
  }

  public List<Toleration> tolerations() {
    return tolerations;
  }

  public Affinity affinity() {
    return affinity;
  }

  public String priorityClassName() {
    return priorityClassName;
  }

  public String image() {
    return image;
  }

  /** The values equals and hashCode compare: these fields, then the subclass's own. */
  protected List<Object> values() {
    return java.util.Arrays.asList(
        cpu, memory, nodeSelector, tolerations, affinity, priorityClassName, image);
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && values().equals(((PodResources) o).values());
  }

  @Override
  public int hashCode() {
    return Objects.hash(getClass(), values());
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + values();
  }
}
