package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Where and on what the training pods run: nodes and GPUs, and the pod settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ResourcesSpec extends PodResources {
  @Min(1)
  @Max(128)
  @JsonPropertyDescription(
      "Training pods, one per node (default 1). Each pod runs one trainer process per GPU (one"
          + " on CPU): WORLD_SIZE = nodes x max(1, gpusPerNode), ranks that share the training state"
          + " as spec.distributed says. Several nodes write checkpoints to one volume, which must"
          + " then be ReadWriteMany.")
  @JsonProperty("nodes")
  private final Integer nodes;

  @Min(0)
  @Max(16)
  @JsonPropertyDescription(
      "nvidia.com/gpu requested by each pod (default 1); 0 requests none. Each pod runs one"
          + " trainer process per GPU (one when 0), as torchrun's nproc-per-node. The trainer image"
          + " computes on the CPU today (it bundles libtorch's CPU build): the GPUs are only"
          + " reserved.")
  @JsonProperty("gpusPerNode")
  private final Integer gpusPerNode;

  @JsonCreator
  public ResourcesSpec(
      @JsonProperty("nodes") Integer nodes,
      @JsonProperty("gpusPerNode") Integer gpusPerNode,
      @JsonProperty("cpu") String cpu,
      @JsonProperty("memory") String memory,
      @JsonProperty("nodeSelector") Map<String, String> nodeSelector,
      @JsonProperty("tolerations") List<Toleration> tolerations,
      @JsonProperty("affinity") Affinity affinity,
      @JsonProperty("priorityClassName") String priorityClassName,
      @JsonProperty("image") String image) {
    super(cpu, memory, nodeSelector, tolerations, affinity, priorityClassName, image);
    this.nodes = nodes;
    this.gpusPerNode = gpusPerNode;
  }

  public static ResourcesSpec defaults() {
    return new ResourcesSpec(null, null, null, null, null, null, null, null, null);
  }

  public Integer nodes() {
    return nodes;
  }

  public Integer gpusPerNode() {
    return gpusPerNode;
  }

  public int effectiveNodes() {
    return nodes == null ? 1 : nodes;
  }

  public int effectiveGpus() {
    return gpusPerNode == null ? 1 : gpusPerNode;
  }

  /** Trainer processes per pod: one per GPU (torchrun's nproc-per-node), one on CPU. */
  public int ranksPerNode() {
    return Math.max(1, effectiveGpus());
  }

  /** Trainer processes of the job: WORLD_SIZE. */
  public int worldSize() {
    return effectiveNodes() * ranksPerNode();
  }

  @Override
  protected List<Object> values() {
    List<Object> v = new ArrayList<>(super.values());
    v.add(nodes);
    v.add(gpusPerNode);
    return v;
  }
}
