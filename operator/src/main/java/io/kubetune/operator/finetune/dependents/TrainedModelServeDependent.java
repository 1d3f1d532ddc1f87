package io.kubetune.operator.finetune.dependents;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.finetune.TrainedModelServe;
import io.kubetune.operator.finetune.TrainingConfig;
import io.kubetune.operator.owned.OwnedDependent;
import java.util.Objects;

/**
 * The ModelServe that spec.serve asks for, created when training has succeeded. Its whole spec is
 * the operator's (spec.serve and the artifact): a field added by hand (say an adapter, which would
 * change what is served) is removed too, which server-side apply alone does not do (a field set by
 * another manager stays), so the spec is compared whole and replaced when it differs. The
 * ModelServe schema has no defaults, so a stored spec equals the desired one.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TrainedModelServeDependent extends OwnedDependent<ModelServe, FineTuneJob> {

  @Override
  protected ModelServe desired(FineTuneJob job, Context<FineTuneJob> context) {
    return TrainedModelServe.build(job, TrainingConfig.artifact(job));
  }

  @Override
  public Result<ModelServe> match(
      ModelServe actual, ModelServe desired, FineTuneJob job, Context<FineTuneJob> context) {
    Result<ModelServe> fields = super.match(actual, desired, job, context);
    return Result.computed(
        fields.matched() && Objects.equals(actual.getSpec(), desired.getSpec()), desired);
  }

  @Override
  public ModelServe update(
      ModelServe actual, ModelServe desired, FineTuneJob job, Context<FineTuneJob> context) {
    ModelServe updated = super.update(actual, desired, job, context);
    return Objects.equals(updated.getSpec(), desired.getSpec())
        ? updated
        : replace(updated, desired, context);
  }
}
