package io.kubetune.operator.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.serve.dependents.ServerAutoscalerDependent;
import io.kubetune.operator.serve.dependents.ServerDeploymentDependent;
import io.kubetune.operator.serve.dependents.ServerServiceDependent;
import io.kubetune.operator.support.Golden;
import io.kubetune.operator.support.WorkflowObjects;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ModelServe -> Deployment, Service and HorizontalPodAutoscaler, table-driven. An input may carry
 * the FineTuneJob that fromFineTuneJob names as its second document. Which objects are made is
 * derived from the reconciler's workflow, with that FineTuneJob as the secondary resource.
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

    List<HasMetadata> objects =
        WorkflowObjects.of(
            ModelServeReconciler.class,
            ms,
            Map.of(
                ServerDeploymentDependent.class,
                    m -> ServerDeployment.build(m, model.model(), OperatorConfig.DEFAULT_IMAGE),
                ServerServiceDependent.class, ServerService::build,
                ServerAutoscalerDependent.class, ServerAutoscaler::build),
            job.<Map<Class<?>, Object>>map(j -> Map.of(FineTuneJob.class, j)).orElse(Map.of()));
    Golden.assertMatches("golden/modelserve/" + name + ".yaml", Golden.yaml(objects));
  }
}
