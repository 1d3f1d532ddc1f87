package io.kubetune.operator.finetune.progress;

import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.TrainingNames;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;

/**
 * Reaches rank 0 through the headless Service's DNS name, {@code
 * <job>-0.<job>-workers.<namespace>.svc}: known from the names alone, no pod lookup.
 */
@ApplicationScoped
@DefaultBean
public class HeadlessServiceEndpoints implements TrainerEndpoints {
  @Override
  public URI statusBaseUrl(FineTuneJob job) {
    TrainingNames names = new TrainingNames(job.getMetadata().getName());
    return URI.create(
        "http://"
            + names.rank0Host()
            + "."
            + job.getMetadata().getNamespace()
            + ".svc:"
            + TrainingProgress.PORT);
  }
}
