package io.kubetune.operator.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.dependents.StorageClaimDependent;
import io.kubetune.operator.finetune.dependents.TrainedModelServeDependent;
import io.kubetune.operator.finetune.dependents.TrainingConfigMapDependent;
import io.kubetune.operator.finetune.dependents.TrainingJobDependent;
import io.kubetune.operator.finetune.dependents.ValidSpec;
import io.kubetune.operator.finetune.dependents.WorkerServiceDependent;
import io.kubetune.operator.support.Golden;
import io.kubetune.operator.support.WorkflowObjects;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FineTuneJob -> desired objects, table-driven: each case is golden/finetunejob/CASE.input.yaml and
 * the objects it must produce, golden/finetunejob/CASE.yaml. Which objects are made is derived from
 * the reconciler's workflow (its dependents and their conditions), not restated here.
 */
class FineTuneJobGoldenTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "single-node",
        "multi-node-gpus",
        "multi-node-cpu",
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
    List<HasMetadata> objects = desired(job, Set.of());
    if (!SchemaCheck.problems(job).isEmpty()) {
      // an input the schema refuses today (nodes > 1): the workflow makes nothing for it; the
      // builders already render it, and the golden file keeps them tested
      assertThat(objects).as("objects made for a spec the schema refuses").isEmpty();
      objects = desired(job, Set.of(ValidSpec.class));
    }
    Golden.assertMatches("golden/finetunejob/" + name + ".yaml", Golden.yaml(objects));
  }

  /**
   * What the workflow makes once training has succeeded (the context's Job is complete), so that
   * spec.serve's ModelServe shows too: the conditions are the workflow's own.
   */
  static List<HasMetadata> desired(FineTuneJob job, Set<Class<?>> assumedMet) {
    Job complete =
        new JobBuilder(TrainingJobs.build(job, OperatorConfig.DEFAULT_IMAGE))
            .withNewStatus()
            .addNewCondition()
            .withType(JobState.COMPLETE)
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    return WorkflowObjects.of(
        FineTuneJobReconciler.class,
        job,
        Map.of(
            TrainingConfigMapDependent.class, TrainingConfigMap::build,
            WorkerServiceDependent.class, WorkerService::build,
            StorageClaimDependent.class, StorageClaim::build,
            TrainingJobDependent.class, j -> TrainingJobs.build(j, OperatorConfig.DEFAULT_IMAGE),
            TrainedModelServeDependent.class,
                j -> TrainedModelServe.build(j, TrainingConfig.artifact(j))),
        Map.of(Job.class, complete),
        assumedMet);
  }
}
