/**
 * The training job spec: one schema for the {@code FineTuneJob} custom resource and for {@code
 * kubetune train -f job.yaml}. Types here are immutable records; defaults are filled in their
 * compact constructors so the operator and the trainer agree on every effective value.
 */
package io.kubetune.api;
