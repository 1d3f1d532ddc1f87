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
 * A fine-tuning run: a base model, datasets and a method, trained on GPU pods. The name is at most
 * 52 characters and a DNS label: it names the training Job, its pods' hostnames ({@code
 * <name>-<index>}) and the Services.
 */
@Group(FineTuneJob.GROUP)
@Version(FineTuneJob.VERSION)
@ShortNames("ftj")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progress.steps",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Loss",
    jsonPath = ".status.progress.loss",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value = "self.metadata.name.size() <= " + FineTuneJob.MAX_NAME_LENGTH,
    message =
        "must be no more than "
            + FineTuneJob.MAX_NAME_LENGTH
            + " characters: it names the training pods' hostnames and Services",
    fieldPath = CelRules.NAME)
@ValidationRule(
    value = CelRules.DNS_LABEL_RULE,
    message = CelRules.DNS_LABEL_MESSAGE,
    fieldPath = CelRules.NAME)
@ValidationRule(
    value = "!(" + CelRules.STARTED + ") || self.spec.model == oldSelf.spec.model",
    message = "model" + CelRules.FROZEN,
    fieldPath = ".spec.model")
@ValidationRule(
    value = "!(" + CelRules.STARTED + ") || self.spec.datasets == oldSelf.spec.datasets",
    message = "datasets" + CelRules.FROZEN,
    fieldPath = ".spec.datasets")
@ValidationRule(
    value =
        "!("
            + CelRules.STARTED
            + ") || (has(self.spec.method) == has(oldSelf.spec.method)"
            + " && (!has(self.spec.method) || self.spec.method == oldSelf.spec.method))",
    message = "method" + CelRules.FROZEN,
    fieldPath = ".spec.method")
@ValidationRule(
    value =
        "!("
            + CelRules.STARTED
            + ") || (has(self.spec.training) == has(oldSelf.spec.training)"
            + " && (!has(self.spec.training) || self.spec.training == oldSelf.spec.training))",
    message = "training" + CelRules.FROZEN,
    fieldPath = ".spec.training")
@ValidationRule(
    value =
        "!("
            + CelRules.STARTED
            + ") || (has(self.spec.checkpoint) == has(oldSelf.spec.checkpoint)"
            + " && (!has(self.spec.checkpoint) || self.spec.checkpoint == oldSelf.spec.checkpoint))",
    message = "checkpoint" + CelRules.FROZEN,
    fieldPath = ".spec.checkpoint")
@ValidationRule(
    value =
        "!("
            + CelRules.STARTED
            + ") || (has(self.spec.evaluation) == has(oldSelf.spec.evaluation)"
            + " && (!has(self.spec.evaluation) || self.spec.evaluation == oldSelf.spec.evaluation))",
    message = "evaluation" + CelRules.FROZEN,
    fieldPath = ".spec.evaluation")
@ValidationRule(
    value =
        "!("
            + CelRules.STARTED
            + ") || (has(self.spec.output) == has(oldSelf.spec.output)"
            + " && (!has(self.spec.output) || self.spec.output == oldSelf.spec.output))",
    message = "output" + CelRules.FROZEN,
    fieldPath = ".spec.output")
@ValidationRule(
    value =
        "!("
            + CelRules.STARTED
            + ") || ("
            + FineTuneJob.NODES_NOW
            + " == "
            + FineTuneJob.NODES_BEFORE
            + " && "
            + FineTuneJob.GPUS_NOW
            + " == "
            + FineTuneJob.GPUS_BEFORE
            + " && "
            + FineTuneJob.IMAGE_NOW
            + " == "
            + FineTuneJob.IMAGE_BEFORE
            + ")",
    message = "resources.nodes, resources.gpusPerNode and resources.image" + CelRules.FROZEN,
    fieldPath = ".spec.resources")
public class FineTuneJob extends CustomResource<FineTuneJobSpec, FineTuneJobStatus>
    implements Namespaced {
  public static final String GROUP = "kubetune.io";
  public static final String VERSION = "v1alpha1";

  /** 52 leaves room for "-workers" (Service) and "-127" (pod hostname) within 63. */
  public static final int MAX_NAME_LENGTH = 52;

  static final String NODES_NOW =
      "(has(self.spec.resources) && has(self.spec.resources.nodes) ? self.spec.resources.nodes"
          + " : 1)";
  static final String NODES_BEFORE =
      "(has(oldSelf.spec.resources) && has(oldSelf.spec.resources.nodes)"
          + " ? oldSelf.spec.resources.nodes : 1)";
  static final String GPUS_NOW =
      "(has(self.spec.resources) && has(self.spec.resources.gpusPerNode)"
          + " ? self.spec.resources.gpusPerNode : 1)";
  static final String GPUS_BEFORE =
      "(has(oldSelf.spec.resources) && has(oldSelf.spec.resources.gpusPerNode)"
          + " ? oldSelf.spec.resources.gpusPerNode : 1)";
  static final String IMAGE_NOW =
      "(has(self.spec.resources) && has(self.spec.resources.image) ? self.spec.resources.image"
          + " : '')";
  static final String IMAGE_BEFORE =
      "(has(oldSelf.spec.resources) && has(oldSelf.spec.resources.image)"
          + " ? oldSelf.spec.resources.image : '')";

  @Override
  @Required
  @JsonPropertyDescription(
      "The desired fine-tuning run: what to train (model, datasets, method, training, checkpoint, evaluation, output: the trainer reads them as job.yaml) and how to run it on the cluster.")
  public FineTuneJobSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the operator observed of the run; written by the operator only.")
  public FineTuneJobStatus getStatus() {
    return super.getStatus();
  }

  /**
   * A spec the operator cannot read is null here; the reconciler reports it (see {@link Tolerant}).
   */
  @Override
  @JsonDeserialize(using = Tolerant.class)
  public void setSpec(FineTuneJobSpec spec) {
    super.setSpec(spec);
  }

  /** A status the operator cannot read is null here; the reconciler writes it anew. */
  @Override
  @JsonDeserialize(using = Tolerant.class)
  public void setStatus(FineTuneJobStatus status) {
    super.setStatus(status);
  }
}
