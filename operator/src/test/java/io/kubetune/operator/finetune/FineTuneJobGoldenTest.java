package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.support.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FineTuneJob -> desired objects, table-driven: each case is golden/finetunejob/CASE.input.yaml and
 * the objects it must produce, golden/finetunejob/CASE.yaml.
 */
class FineTuneJobGoldenTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "single-node",
        "multi-node-gpus",
        "claim-template",
        "suspended",
        "full-finetune",
        "serve",
        "serve-adapter",
        "cpu-only",
        "pod-template",
      })
  void desiredObjectsMatchTheGoldenFile(String name) {
    FineTuneJob job =
        (FineTuneJob) Golden.objects("golden/finetunejob/" + name + ".input.yaml").get(0);
    Golden.assertMatches("golden/finetunejob/" + name + ".yaml", Golden.yaml(desired(job)));
  }

  static List<HasMetadata> desired(FineTuneJob job) {
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(TrainingConfigMap.build(job));
    objects.add(WorkerService.build(job));
    if (StorageClaim.templated(job)) {
      objects.add(StorageClaim.build(job));
    }
    objects.add(TrainingJobs.build(job, OperatorConfig.DEFAULT_IMAGE));
    if (job.getSpec().serve() != null) {
      objects.add(TrainedModelServe.build(job, TrainingConfig.artifact(job)));
    }
    return objects;
  }
}
