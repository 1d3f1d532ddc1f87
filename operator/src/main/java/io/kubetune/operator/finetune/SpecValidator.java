package io.kubetune.operator.finetune;

import io.kubetune.api.SourceUri;
import io.kubetune.operator.crd.FineTuneJobSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks what the CRD schema cannot express, with the same parser the trainer uses, so that a job
 * that would fail at start-up is refused before any pod is scheduled.
 */
final class SpecValidator {
  private SpecValidator() {}

  static List<String> problems(FineTuneJobSpec spec) {
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
