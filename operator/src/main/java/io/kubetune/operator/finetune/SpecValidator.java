package io.kubetune.operator.finetune;

import io.kubetune.api.SourceUri;
import io.kubetune.operator.crd.FineTuneJobSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks what the CRD schema cannot express, with the same parser the trainer uses, so that a job
 * that would fail at start-up is refused before any pod is scheduled.
 */
public final class SpecValidator {
  private SpecValidator() {}

  public static List<String> problems(FineTuneJobSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec: must be set");
      return problems;
    }
    if (spec.model() == null) {
      problems.add("spec.model: must be set");
    } else {
      check(problems, "spec.model.source", spec.model().source());
    }
    if (spec.datasets() == null || spec.datasets().isEmpty()) {
      problems.add("spec.datasets: at least one dataset is required");
    } else {
      for (int i = 0; i < spec.datasets().size(); i++) {
        check(problems, "spec.datasets[" + i + "].source", spec.datasets().get(i).source());
      }
    }
    if (spec.output() != null) {
      check(problems, "spec.output.path", spec.output().path());
      if (spec.output().path() != null && !spec.output().path().startsWith("pvc://")) {
        problems.add("spec.output.path: must be a pvc:// URI");
      }
    } else if (spec.storage() == null) {
      problems.add("spec: storage or output must be set");
    }
    if (spec.storage() != null
        && (spec.storage().claimName() == null) == (spec.storage().claimTemplate() == null)) {
      problems.add("spec.storage: exactly one of claimName and claimTemplate must be set");
    }
    return problems;
  }

  private static void check(List<String> problems, String field, String uri) {
    try {
      SourceUri.parse(field, uri);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
  }
}
