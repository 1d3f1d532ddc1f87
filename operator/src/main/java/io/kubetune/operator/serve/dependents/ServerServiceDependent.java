package io.kubetune.operator.serve.dependents;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.owned.OwnedDependent;
import io.kubetune.operator.serve.ServerService;

/** The Service in front of the servers: port 80 (http) to 8000. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServerServiceDependent extends OwnedDependent<Service, ModelServe> {

  @Override
  protected Service desired(ModelServe ms, Context<ModelServe> context) {
    return ServerService.build(ms);
  }
}
