/**
 * Reading {@code job.yaml}: {@link io.kubetune.trainer.config.JobSpecLoader} parses the training
 * job spec (or a whole FineTuneJob), validates it with the API records' own Fabric8 annotations and
 * resolves its sources to local paths ({@link io.kubetune.trainer.config.SourceResolver}).
 */
package io.kubetune.trainer.config;
