package io.kubetune.operator.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubetune.operator.Labels;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.support.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * The merge patch that brings an existing Job's mutable fields and the operator's labels back to
 * the desired ones, with no resourceVersion in it.
 */
class TrainingJobsPatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void suspendingSetsEveryMutableFieldAndRemovesTheUnsetOnes() throws Exception {
    JsonNode patch = patch(Fixtures.LORA_SPEC + "suspend: true\n");
    assertThat(patch.get("spec").toString())
        .isEqualTo(
            "{\"suspend\":true,\"backoffLimit\":3,\"activeDeadlineSeconds\":null,"
                + "\"ttlSecondsAfterFinished\":null,\"parallelism\":1,\"completions\":1}");
    assertThat(patch.has("status")).isFalse();
    assertThat(patch.get("metadata").has("resourceVersion")).isFalse();
  }

  @Test
  void limitsDeadlinesAndNodesAreCarried() throws Exception {
    JsonNode patch =
        patch(
            Fixtures.LORA_SPEC
                + "backoffLimit: 6\nactiveDeadlineSeconds: 86400\nttlSecondsAfterFinished: 60\n"
                + "resources: {nodes: 2}\n");
    assertThat(patch.get("spec").toString())
        .isEqualTo(
            "{\"suspend\":false,\"backoffLimit\":6,\"activeDeadlineSeconds\":86400,"
                + "\"ttlSecondsAfterFinished\":60,\"parallelism\":2,\"completions\":2}");
  }

  @Test
  void theOperatorsLabelsAndOwnerComeBack() throws Exception {
    var ftj = Fixtures.job("ns", "qwen", Fixtures.LORA_SPEC);
    ftj.getMetadata().setUid("uid-1");
    Job desired = TrainingJobs.build(ftj, OperatorConfig.DEFAULT_IMAGE);
    desired.addOwnerReference(ftj);
    JsonNode metadata = JSON.readTree(TrainingJobs.mutableFieldsPatch(desired)).get("metadata");
    assertThat(metadata.get("labels").get(Labels.MANAGED_BY).asText()).isEqualTo(Labels.OPERATOR);
    assertThat(metadata.get("labels").get(Labels.FINETUNEJOB).asText()).isEqualTo("qwen");
    assertThat(metadata.get("ownerReferences").get(0).get("uid").asText()).isEqualTo("uid-1");
  }

  private static JsonNode patch(String spec) throws Exception {
    var job = Fixtures.job("ns", "qwen", spec);
    return JSON.readTree(
        TrainingJobs.mutableFieldsPatch(TrainingJobs.build(job, OperatorConfig.DEFAULT_IMAGE)));
  }
}
