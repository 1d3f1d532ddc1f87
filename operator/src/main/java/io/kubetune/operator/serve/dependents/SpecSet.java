package io.kubetune.operator.serve.dependents;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.kubetune.operator.crd.ModelServe;

/** Nothing is made for a ModelServe whose spec is missing or unreadable (the status says why). */
public class SpecSet implements Condition<Object, ModelServe> {
  @Override
  public boolean isMet(
      DependentResource<Object, ModelServe> dependent, ModelServe ms, Context<ModelServe> context) {
    return ms.getSpec() != null;
  }
}
