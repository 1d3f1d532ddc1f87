package io.kubetune.operator.serve.dependents;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.kubetune.operator.Labels;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.owned.OwnedDependent;
import io.kubetune.operator.serve.ModelResolver;
import io.kubetune.operator.serve.ServerDeployment;
import jakarta.inject.Inject;

/** The Deployment running {@code kubetune serve}, once the model is known. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServerDeploymentDependent extends OwnedDependent<Deployment, ModelServe> {

  @Inject OperatorConfig config;

  @Override
  protected Deployment desired(ModelServe ms, Context<ModelServe> context) {
    var model = ModelResolver.resolve(ms, context.getSecondaryResource(FineTuneJob.class));
    return ServerDeployment.build(ms, model.model(), config.trainer().image());
  }
}
