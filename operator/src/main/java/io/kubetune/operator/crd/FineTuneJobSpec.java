package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.kubetune.api.CheckpointSpec;
import io.kubetune.api.DatasetSpec;
import io.kubetune.api.DistributedSpec;
import io.kubetune.api.EvaluationSpec;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.api.OutputSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingSpec;
import java.util.List;

/**
 * The desired fine-tuning run. The training part (model ... output) is the trainer's own job spec
 * ({@link TrainingJobSpec}); the rest says how to run it on the cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.output) || has(self.storage)",
    message = "storage or output must be set: checkpoints and the trained model need a volume")
@ValidationRule(
    value = "!has(self.output) || self.output.path.startsWith('pvc://')",
    message = "output.path must be a pvc:// URI: a pod's own file system is gone when it ends",
    fieldPath = ".output.path")
@ValidationRule(
    value =
        "has(self.storage) == has(oldSelf.storage)"
            + " && (!has(self.storage) || self.storage == oldSelf.storage)",
    message = "storage is immutable: the checkpoints live there",
    fieldPath = ".storage")
@ValidationRule(
    value =
        "!has(self.storage) || !has(self.storage.claimTemplate)"
            + " || !has(self.resources) || !has(self.resources.nodes) || self.resources.nodes == 1"
            + " || (has(self.storage.claimTemplate.accessModes)"
            + " && 'ReadWriteMany' in self.storage.claimTemplate.accessModes)",
    message =
        "storage.claimTemplate.accessModes must include ReadWriteMany when resources.nodes > 1:"
            + " every node writes checkpoints",
    fieldPath = ".storage.claimTemplate")
@ValidationRule(
    value =
        "(!has(self.model.visionTower) && !(has(self.method) && has(self.method.stage)))"
            + " || !has(self.resources)"
            + " || ((!has(self.resources.nodes) || self.resources.nodes == 1)"
            + " && (!has(self.resources.gpusPerNode) || self.resources.gpusPerNode <= 1))",
    message =
        "a LLaVA job (model.visionTower or method.stage) trains on one rank: resources.nodes 1"
            + " and gpusPerNode at most 1",
    fieldPath = ".resources")
public record FineTuneJobSpec(
    @Required @JsonPropertyDescription("The base model to fine-tune.") ModelSource model,
    @Required
        @Size(min = 1, max = 32)
        @JsonPropertyDescription("The training datasets; samples of all datasets are mixed.")
        List<DatasetSpec> datasets,
    @JsonPropertyDescription("The fine-tuning method: full or lora (default lora).")
        MethodSpec method,
    @JsonPropertyDescription("Optimisation hyper-parameters.") TrainingSpec training,
    @JsonPropertyDescription("When checkpoints are written and how many are kept.")
        CheckpointSpec checkpoint,
    @JsonPropertyDescription("Prompts whose replies are sampled while training, to watch progress.")
        EvaluationSpec evaluation,
    @JsonPropertyDescription(
            "Where checkpoints/, hf/ (merged model) and adapter/ (PEFT adapter) go: a pvc:// URI."
                + " Default: pvc://<storage claim>/<job name>.")
        OutputSpec output,
    @JsonPropertyDescription(
            "How the ranks (resources.nodes x gpusPerNode processes) share the training state"
                + " (ZeRO stage) and how long they wait for each other.")
        DistributedSpec distributed,
    @JsonPropertyDescription(
            "Nodes, GPUs, scheduling and the container image. nodes, gpusPerNode and image may"
                + " only change while the job is Pending, Suspended or Failed; the other fields"
                + " apply the next time the pods are created.")
        ResourcesSpec resources,
    @JsonPropertyDescription(TEMPLATE_DESCRIPTION) PodOverlay template,
    @JsonPropertyDescription(
            "The volume for checkpoints and the exported model when output is not set: an"
                + " existing PersistentVolumeClaim, or a claim template the operator creates as"
                + " <job>-storage (deleted with the job). Immutable.")
        StorageSpec storage,
    @JsonPropertyDescription(
            "Serve the trained model: when set, a ModelServe named after the job is created when"
                + " training succeeds (owned by the job) and its URL shows in status.url.")
        ServeTemplate serve,
    @JsonPropertyDescription(
            "Suspend the job: its pods are removed and the checkpoints are kept; setting it back"
                + " to false resumes from the newest checkpoint.")
        Boolean suspend,
    @Min(0)
        @Max(100)
        @JsonPropertyDescription(
            "Pod failures allowed before the job fails (default 3). Retryable failures (exit code"
                + " 75, a lost peer) count; permanent errors (exit codes 64, 65, 66, 78) fail the"
                + " job at once and preemption (DisruptionTarget) does not count.")
        Integer backoffLimit,
    @Min(1)
        @JsonPropertyDescription(
            "Fail the job when it has run longer than this many seconds (restarts from 0 when a"
                + " suspended job resumes).")
        Long activeDeadlineSeconds,
    @Min(0)
        @JsonPropertyDescription(
            "Delete the finished training Job and its pods (not the FineTuneJob, its status or"
                + " the model) after this many seconds.")
        Integer ttlSecondsAfterFinished,
    @JsonPropertyDescription(SOURCE_SECRET_DESCRIPTION) SourceSecretRef sourceSecretRef) {

  static final String SOURCE_SECRET_DESCRIPTION =
      "A Secret in this namespace whose keys become the trainer's environment, for s3:// and"
          + " hf:// sources: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,"
          + " AWS_REGION, AWS_ENDPOINT_URL (an S3-compatible store other than AWS), HF_TOKEN and"
          + " HF_ENDPOINT; each key is optional, others are ignored. Without it, S3 credentials"
          + " come from the pods' ServiceAccount (web identity) or the node.";

  static final String TEMPLATE_DESCRIPTION =
      "An overlay on the training pods: extra labels, annotations and environment variables"
          + " (e.g. for a service mesh, cost allocation or monitoring) and their ServiceAccount. The"
          + " operator's own labels and variables win on a clash. May change at any time; it"
          + " applies the next time the pods are created.";

  /** Retries within the Job when backoffLimit is not set. */
  public static final int DEFAULT_BACKOFF_LIMIT = 3;

  /** The part the trainer reads as job.yaml. */
  public TrainingJobSpec trainingJob() {
    return new TrainingJobSpec(
        model, datasets, method, training, checkpoint, evaluation, output, distributed);
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public ResourcesSpec effectiveResources() {
    return resources == null ? ResourcesSpec.defaults() : resources;
  }
}
