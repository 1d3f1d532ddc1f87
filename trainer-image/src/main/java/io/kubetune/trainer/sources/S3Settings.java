package io.kubetune.trainer.sources;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach an S3-compatible store, from the variables the AWS SDKs and CLIs read (in a cluster
 * the operator sets them from the Secret named by spec.sourceSecretRef): AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL (a store other than AWS: MinIO, Ceph, versitygw, ...; then path-style
 * addressing), AWS_REGION or AWS_DEFAULT_REGION (default us-east-1), and AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (without them, the SDK's default chain: web identity,
 * container and instance credentials).
 */
public record S3Settings(
    Optional<URI> endpoint,
    String region,
    Optional<String> accessKeyId,
    Optional<String> secretAccessKey,
    Optional<String> sessionToken) {

  public static S3Settings fromEnvironment(Map<String, String> env) {
    Optional<String> endpoint = first(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    return new S3Settings(
        endpoint.map(URI::create),
        first(env, "AWS_REGION", "AWS_DEFAULT_REGION").orElse("us-east-1"),
        first(env, "AWS_ACCESS_KEY_ID"),
        first(env, "AWS_SECRET_ACCESS_KEY"),
        first(env, "AWS_SESSION_TOKEN"));
  }

  private static Optional<String> first(Map<String, String> env, String... names) {
    for (String name : names) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return Optional.of(value.strip());
      }
    }
    return Optional.empty();
  }
}
