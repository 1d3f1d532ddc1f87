package io.kubetune.operator.finetune.dependents;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.SchemaCheck;

/** Nothing is created for a spec the trainer would refuse (the status says why). */
public class ValidSpec implements Condition<Object, FineTuneJob> {
  @Override
  public boolean isMet(
      DependentResource<Object, FineTuneJob> dependent,
      FineTuneJob job,
      Context<FineTuneJob> context) {
    return SchemaCheck.problems(job).isEmpty();
  }
}
