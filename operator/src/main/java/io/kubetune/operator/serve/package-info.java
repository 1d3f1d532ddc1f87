/**
 * The ModelServe feature: pure builders here, one dependent resource per owned object in {@code
 * dependents}, and the reconciler.
 *
 * <p>The life of one ModelServe: {@link io.kubetune.operator.serve.ModelResolver} finds the model
 * to serve (spec.model, or the merged model of the succeeded FineTuneJob named by fromFineTuneJob;
 * until then nothing runs and the status says why). Then the Deployment running {@code kubetune
 * serve} ({@link io.kubetune.operator.serve.ServerDeployment}: probes on /health, the API key from
 * a Secret, the model's claim mounted read-only), the Service on port 80 ({@link
 * io.kubetune.operator.serve.ServerService}) and, with autoscaling, a HorizontalPodAutoscaler
 * ({@link io.kubetune.operator.serve.ServerAutoscaler}). {@link
 * io.kubetune.operator.serve.ModelServeReconciler} writes the status ({@link
 * io.kubetune.operator.serve.ModelServeStatuses}: ModelResolved and Ready conditions, phase, URL)
 * and is triggered again when the FineTuneJob it follows changes.
 */
package io.kubetune.operator.serve;
