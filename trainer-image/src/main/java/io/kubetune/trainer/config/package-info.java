/**
 * Reading {@code job.yaml}: {@link io.kubetune.trainer.config.JobSpecLoader} parses the training
 * job spec (or a whole FineTuneJob), validates it against the generated CRD with the one validator
 * ({@code io.kubetune.validation}, the API server's schema and CEL rules and messages), points each
 * problem at its line and column, and resolves the sources to local paths ({@link
 * io.kubetune.trainer.config.SourceResolver}).
 */
package io.kubetune.trainer.config;
