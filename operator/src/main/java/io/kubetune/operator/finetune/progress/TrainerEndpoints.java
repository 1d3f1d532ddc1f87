package io.kubetune.operator.finetune.progress;

import io.kubetune.operator.crd.FineTuneJob;
import java.net.URI;

/** Where rank 0 of a job's trainer serves its status port (progress and metrics). */
public interface TrainerEndpoints {
  /** The base URL, e.g. http://job-0.job-workers.ns.svc:9400. */
  URI statusBaseUrl(FineTuneJob job);
}
