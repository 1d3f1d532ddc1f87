package io.kubetune.operator.finetune;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kubetune.operator.Labels;
import io.kubetune.operator.crd.ArtifactStatus;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.crd.ServeTemplate;

/** The ModelServe that spec.serve asks for, pointing at the job's artifact. */
public final class TrainedModelServe {
  private TrainedModelServe() {}

  public static ModelServe build(FineTuneJob job, ArtifactStatus artifact) {
    ServeTemplate serve = job.getSpec().serve();
    TrainingNames names = new TrainingNames(job.getMetadata().getName());
    ModelServe ms = new ModelServe();
    ms.setMetadata(
        new ObjectMetaBuilder()
            .withName(names.modelServe())
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(Labels.trainer(names.job()))
            .build());
    ms.getMetadata().getLabels().put(Labels.NAME, "kubetune-server");
    ms.getMetadata().getLabels().put(Labels.COMPONENT, "server");
    boolean adapter = serve.servesAdapter() && artifact.adapter() != null;
    ms.setSpec(
        adapter
            ? serve.toModelServeSpec(job.getSpec().model().source(), artifact.adapter())
            : serve.toModelServeSpec(artifact.model(), null));
    return ms;
  }
}
