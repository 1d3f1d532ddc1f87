package io.kubetune.operator.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.support.Fixtures;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The trainer pod of a job with s3:// and hf:// sources: credentials and caches. */
class SourceAccessTest {
  private static final String REMOTE =
      """
      model:
        source: hf://Qwen/Qwen2-0.5B-Instruct@main
      datasets:
        - source: s3://training-data/chats/identity.jsonl
      sourceSecretRef:
        name: s3-credentials
      output:
        path: pvc://runs/qwen2
      """;

  private static Container trainer(FineTuneJob job) {
    return TrainingPod.build(job, "kubetune/trainer:test").getSpec().getContainers().get(0);
  }

  private static Map<String, EnvVar> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
  }

  @Test
  void everyKeyOfTheSecretBecomesAnOptionalVariable() {
    Map<String, EnvVar> env = env(trainer(Fixtures.job("ns", "remote", REMOTE)));
    for (String key : SourceAccess.SECRET_KEYS) {
      var ref = env.get(key).getValueFrom().getSecretKeyRef();
      assertThat(ref.getName()).isEqualTo("s3-credentials");
      assertThat(ref.getKey()).isEqualTo(key);
      assertThat(ref.getOptional()).isTrue();
    }
  }

  @Test
  void cachesLiveOnTheOutputClaimSoThatARetryDownloadsNothingAgain() {
    Container c = trainer(Fixtures.job("ns", "remote", REMOTE));
    Map<String, EnvVar> env = env(c);
    assertThat(env.get("KUBETUNE_SOURCE_CACHE").getValue())
        .isEqualTo("/mnt/pvc/runs/.kubetune-cache/sources");
    assertThat(env.get("HF_HOME").getValue())
        .isEqualTo("/mnt/pvc/runs/.kubetune-cache/huggingface");
    assertThat(c.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/mnt/pvc/runs");
              assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
            })
        .as("remote sources mount no claim")
        .hasSize(3);
  }

  @Test
  void aJobWithOnlyClaimSourcesGetsNothing() {
    Map<String, EnvVar> env = env(trainer(Fixtures.job("ns", "local", Fixtures.LORA_SPEC)));
    assertThat(env).doesNotContainKeys("KUBETUNE_SOURCE_CACHE", "HF_HOME", "AWS_ACCESS_KEY_ID");
  }

  @Test
  void withoutASecretOnlyTheCachesAreSet() {
    FineTuneJob job =
        Fixtures.job(
            "ns", "irsa", REMOTE.replace("sourceSecretRef:\n  name: s3-credentials\n", ""));
    assertThat(env(trainer(job)))
        .containsKeys("KUBETUNE_SOURCE_CACHE", "HF_HOME")
        .doesNotContainKey("AWS_ACCESS_KEY_ID");
  }
}
