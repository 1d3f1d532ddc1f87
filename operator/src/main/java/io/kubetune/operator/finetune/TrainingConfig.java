package io.kubetune.operator.finetune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.OutputSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.operator.crd.ArtifactStatus;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobSpec;

/**
 * The training part of a FineTuneJob as the trainer reads it: job.yaml, with every default filled
 * in and the output path resolved.
 */
public final class TrainingConfig {
  public static final String KEY = "job.yaml";
  public static final String MOUNT_DIR = "/etc/kubetune";
  public static final String PATH = MOUNT_DIR + "/" + KEY;

  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private TrainingConfig() {}

  /** spec.output.path, or pvc://&lt;storage claim&gt;/&lt;job name&gt;. */
  public static String outputUri(FineTuneJob job) {
    FineTuneJobSpec spec = job.getSpec();
    String name = job.getMetadata().getName();
    if (spec.output() != null) {
      return stripTrailingSlash(spec.output().path());
    }
    if (spec.storage() == null) {
      throw new IllegalArgumentException("spec.storage or spec.output must be set");
    }
    return "pvc://" + spec.storage().claimFor(name) + "/" + name;
  }

  /** The effective job spec. */
  public static TrainingJobSpec effective(FineTuneJob job) {
    FineTuneJobSpec s = job.getSpec();
    return new TrainingJobSpec(
        s.model(),
        s.datasets(),
        s.method(),
        s.training(),
        s.checkpoint(),
        s.evaluation(),
        new OutputSpec(outputUri(job), s.output() == null ? null : s.output().mergeDtype()),
        s.distributed());
  }

  /** job.yaml. */
  public static String render(FineTuneJob job) {
    try {
      return "# Rendered by the kubetune operator from FineTuneJob "
          + job.getMetadata().getNamespace()
          + "/"
          + job.getMetadata().getName()
          + "; edit the FineTuneJob, not this.\n"
          + YAML.writeValueAsString(effective(job));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render job.yaml", e);
    }
  }

  /** Where the export lands: hf/ always, adapter/ for LoRA and QLoRA. */
  public static ArtifactStatus artifact(FineTuneJob job) {
    String out = outputUri(job);
    boolean adapter = effective(job).method().type() != MethodSpec.Type.FULL;
    return new ArtifactStatus(
        out + "/hf", adapter ? out + "/adapter" : null, ArtifactStatus.HUGGINGFACE);
  }

  private static String stripTrailingSlash(String uri) {
    String u = uri;
    while (u.endsWith("/") && !u.endsWith("://")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }
}
