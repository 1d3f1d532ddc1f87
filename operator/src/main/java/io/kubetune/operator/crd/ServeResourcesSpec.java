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

/** Resources and scheduling of each server pod: its GPUs, and the pod settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ServeResourcesSpec extends PodResources {
  @Min(0)
  @Max(16)
  @JsonPropertyDescription(
      "nvidia.com/gpu per server pod (default 1); 0 requests none. The server computes on the"
          + " CPU today (the image bundles libtorch's CPU build): the GPUs are only reserved.")
  @JsonProperty("gpus")
  private final Integer gpus;

  @JsonCreator
  public ServeResourcesSpec(
      @JsonProperty("gpus") Integer gpus,
      @JsonProperty("cpu") String cpu,
      @JsonProperty("memory") String memory,
      @JsonProperty("nodeSelector") Map<String, String> nodeSelector,
      @JsonProperty("tolerations") List<Toleration> tolerations,
      @JsonProperty("affinity") Affinity affinity,
      @JsonProperty("priorityClassName") String priorityClassName,
      @JsonProperty("image") String image) {
    super(cpu, memory, nodeSelector, tolerations, affinity, priorityClassName, image);
    this.gpus = gpus;
  }

  public static ServeResourcesSpec defaults() {
    return new ServeResourcesSpec(null, null, null, null, null, null, null, null);
  }

  public Integer gpus() {
    return gpus;
  }

  public int effectiveGpus() {
    return gpus == null ? 1 : gpus;
  }

  @Override
  protected List<Object> values() {
    List<Object> v = new ArrayList<>(super.values());
    v.add(gpus);
    return v;
  }
}
