package io.kubetune.operator.serve;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.ModelServe;
import java.util.Map;

/** The ClusterIP Service: port 80 (named http) to the servers' port 8000. */
public final class ServerService {
  private ServerService() {}

  public static Service build(ModelServe ms) {
    String name = ms.getMetadata().getName();
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ms.getMetadata().getNamespace())
        .withLabels(Labels.server(name))
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Map.of(Labels.MODELSERVE, name))
        .addNewPort()
        .withName("http")
        .withPort(ServingNames.SERVICE_PORT)
        .withTargetPort(new IntOrString("http"))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
