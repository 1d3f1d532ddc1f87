/**
 * The one validator of kubetune's resources in Java: {@link
 * io.kubetune.validation.CustomResourceValidator} checks a FineTuneJob, a ModelServe or the
 * training spec that {@code kubetune train} reads against the generated CRDs (OpenAPI schema with
 * the networknt JSON Schema validator, CEL rules with Google's CEL for Java and a Java twin of the
 * Kubernetes quantity library), and words each failure as kube-apiserver does. The CRDs are the
 * only source of the rules: they are generated from the Java API types and packed into this jar
 * from {@code crds/} at build time.
 */
package io.kubetune.validation;
