package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An OpenAI-compatible chat service for a HuggingFace-layout model: a Deployment running {@code
 * kubetune serve}, a Service on port 80 and, with autoscaling, a HorizontalPodAutoscaler, all named
 * after the ModelServe.
 */
@Group(FineTuneJob.GROUP)
@Version(FineTuneJob.VERSION)
@ShortNames("ms")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "URL",
    jsonPath = ".status.url",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.readyReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value = "self.metadata.name.size() <= 63",
    message = "must be no more than 63 characters: it names the Service",
    fieldPath = CelRules.NAME)
@ValidationRule(
    value = CelRules.DNS_LABEL_RULE,
    message = CelRules.DNS_LABEL_MESSAGE,
    fieldPath = CelRules.NAME)
public class ModelServe extends CustomResource<ModelServeSpec, ModelServeStatus>
    implements Namespaced {
  @Override
  @Required
  @JsonPropertyDescription(
      "The desired OpenAI-compatible chat service: a model (or the model a FineTuneJob exported), replicas or autoscaling, resources and sampling defaults.")
  public ModelServeSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "What the operator observed of the service; written by the operator only.")
  public ModelServeStatus getStatus() {
    return super.getStatus();
  }

  /**
   * A spec the operator cannot read is null here; the reconciler reports it (see {@link Tolerant}).
   */
  @Override
  @JsonDeserialize(using = Tolerant.class)
  public void setSpec(ModelServeSpec spec) {
    super.setSpec(spec);
  }

  /** A status the operator cannot read is null here; the reconciler writes it anew. */
  @Override
  @JsonDeserialize(using = Tolerant.class)
  public void setStatus(ModelServeStatus status) {
    super.setStatus(status);
  }
}
