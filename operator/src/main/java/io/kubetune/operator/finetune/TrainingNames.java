package io.kubetune.operator.finetune;

/**
 * The names of what a FineTuneJob owns, all in its namespace. The trainer and the docs rely on
 * them.
 */
public record TrainingNames(String job) {

  /** ConfigMap with job.yaml. */
  public String configMap() {
    return job + "-config";
  }

  /** Headless Service for the rendezvous; pods are {@code <job>-<index>.<service>}. */
  public String service() {
    return job + "-workers";
  }

  /** The batch/v1 Job: its pods get the hostnames {@code <job>-<index>}. */
  public String trainingJob() {
    return job;
  }

  /** The PersistentVolumeClaim created from spec.storage.claimTemplate. */
  public String storageClaim() {
    return job + "-storage";
  }

  /** The ModelServe created from spec.serve. */
  public String modelServe() {
    return job;
  }

  /** The DNS name of the rank 0 pod, relative to the namespace (MASTER_ADDR). */
  public String rank0Host() {
    return job + "-0." + service();
  }
}
