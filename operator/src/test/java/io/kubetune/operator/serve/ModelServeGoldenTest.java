package io.kubetune.operator.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.support.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ModelServe -> Deployment, Service and HorizontalPodAutoscaler, table-driven. An input may carry
 * the FineTuneJob that fromFineTuneJob names as its second document.
 */
class ModelServeGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"model-uri", "adapter-api-key", "from-finetunejob", "autoscaling"})
  void desiredObjectsMatchTheGoldenFile(String name) {
    List<HasMetadata> input = Golden.objects("golden/modelserve/" + name + ".input.yaml");
    ModelServe ms = (ModelServe) input.get(0);
    Optional<FineTuneJob> job =
        input.stream()
            .filter(FineTuneJob.class::isInstance)
            .map(FineTuneJob.class::cast)
            .findFirst();
    ModelResolver.Resolution model = ModelResolver.resolve(ms, job);
    assertThat(model.resolved()).as(model.message()).isTrue();

    List<HasMetadata> objects = new ArrayList<>();
    objects.add(ServerDeployment.build(ms, model.model(), OperatorConfig.DEFAULT_IMAGE));
    objects.add(ServerService.build(ms));
    if (ms.getSpec().autoscaling() != null) {
      objects.add(ServerAutoscaler.build(ms));
    }
    Golden.assertMatches("golden/modelserve/" + name + ".yaml", Golden.yaml(objects));
  }
}
