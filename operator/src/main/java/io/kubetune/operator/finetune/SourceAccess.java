package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.kubetune.api.SourceUri;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobSpec;
import io.kubetune.operator.pods.ClaimMounts;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What trainer pods need to fetch s3:// and hf:// sources: the credentials of spec.sourceSecretRef
 * as environment variables (each key optional), and caches on the output's claim
 * (KUBETUNE_SOURCE_CACHE for s3://, HF_HOME for hf://), so that a retried or resumed pod, and later
 * jobs writing to the same claim, find what was fetched and download nothing again. Jobs whose
 * sources are all file:// or pvc:// get nothing.
 */
public final class SourceAccess {
  /** The Secret keys that become variables of the same name. */
  public static final List<String> SECRET_KEYS =
      List.of(
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "AWS_REGION",
          "AWS_ENDPOINT_URL",
          "HF_TOKEN",
          "HF_ENDPOINT");

  /** Below the output claim's root. */
  public static final String CACHE_DIR = ".kubetune-cache";

  private SourceAccess() {}

  public static boolean hasRemoteSource(FineTuneJobSpec spec) {
    return Stream.concat(
            Stream.of(spec.model().source()), spec.datasets().stream().map(d -> d.source()))
        .anyMatch(uri -> SourceUri.parse("source", uri).remote());
  }

  public static List<EnvVar> env(FineTuneJob job) {
    FineTuneJobSpec spec = job.getSpec();
    List<EnvVar> env = new ArrayList<>();
    if (!hasRemoteSource(spec)) {
      return env;
    }
    String claim = SourceUri.parse("spec.output.path", TrainingConfig.outputUri(job)).claim();
    String cache = ClaimMounts.ROOT + "/" + claim + "/" + CACHE_DIR;
    env.add(new EnvVar("KUBETUNE_SOURCE_CACHE", cache + "/sources", null));
    env.add(new EnvVar("HF_HOME", cache + "/huggingface", null));
    if (spec.sourceSecretRef() != null) {
      for (String key : SECRET_KEYS) {
        env.add(
            new EnvVarBuilder()
                .withName(key)
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(spec.sourceSecretRef().name())
                .withKey(key)
                .withOptional(true)
                .endSecretKeyRef()
                .endValueFrom()
                .build());
      }
    }
    return env;
  }
}
