package io.kubetune.trainer.sources;

import io.kubetune.api.SourceUri;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * s3:// sources from any S3-compatible store, fetched into {@code CACHE/s3/BUCKET/KEY} with the AWS
 * SDK: a key is one file (a dataset), a prefix is a folder (a model: every object under {@code
 * prefix/}). Each object is downloaded resumably ({@link ResumableDownload}: a ranged GET with
 * If-Match on its ETag continues a partial file), checked against its size and, for a single-part
 * upload, its ETag (the MD5 of the content), and recorded with its ETag in {@code
 * CACHE/s3-etags/BUCKET/KEY}: an object whose ETag has not changed is never downloaded again. When
 * the store cannot be reached, a complete cached copy is used as it is.
 */
public final class S3Objects {
  private static final Logger LOG = LoggerFactory.getLogger(S3Objects.class);

  /** An ETag that is the MD5 of the content (a multipart upload's has a "-parts" suffix). */
  private static final Pattern MD5 = Pattern.compile("[0-9a-fA-F]{32}");

  private final S3Settings settings;
  private final Path cache;
  private S3Client client;
  private long downloaded;

  /**
   * @param cache the root of the source cache (KUBETUNE_SOURCE_CACHE)
   */
  public S3Objects(S3Settings settings, Path cache) {
    this.settings = settings;
    this.cache = cache;
  }

  /** Bytes downloaded by this instance so far (0 when everything came from the cache). */
  public long bytesDownloaded() {
    return downloaded;
  }

  /** The local copy of the object {@code s3://bucket/key}. */
  public Path file(String field, SourceUri uri) {
    String what = "s3://" + uri.authority() + "/" + uri.path();
    if (uri.path().isEmpty()) {
      throw new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR, field + ": " + what + " names a bucket, not an object");
    }
    Path local = local(uri.authority(), uri.path());
    HeadObjectResponse head;
    try {
      head = client().headObject(b -> b.bucket(uri.authority()).key(uri.path()));
    } catch (NoSuchKeyException e) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT, field + ": " + what + ": no such object");
    } catch (S3Exception e) {
      throw refused(field, what, e);
    } catch (SdkClientException e) {
      return cachedOrFail(field, what, local, e);
    }
    fetch(what, uri.authority(), uri.path(), etag(head.eTag()), head.contentLength());
    return local;
  }

  /** The local copy of every object under {@code s3://bucket/prefix/}: a model folder. */
  public Path folder(String field, SourceUri uri) {
    String prefix = uri.path().isEmpty() ? "" : uri.path() + "/";
    String what = "s3://" + uri.authority() + "/" + prefix;
    Path local = local(uri.authority(), uri.path());
    List<S3Object> objects = new ArrayList<>();
    try {
      client()
          .listObjectsV2Paginator(b -> b.bucket(uri.authority()).prefix(prefix))
          .contents()
          .forEach(objects::add);
    } catch (S3Exception e) {
      throw refused(field, what, e);
    } catch (SdkClientException e) {
      return cachedOrFail(field, what, local, e);
    }
    Set<Path> wanted = new HashSet<>();
    for (S3Object o : objects) {
      if (o.key().endsWith("/")) {
        continue; // a "folder" marker some tools write
      }
      SourceUri.parse(
          field + " (object " + o.key() + ")", "s3://" + uri.authority() + "/" + o.key());
      wanted.add(local(uri.authority(), o.key()));
      fetch(
          "s3://" + uri.authority() + "/" + o.key(),
          uri.authority(),
          o.key(),
          etag(o.eTag()),
          o.size());
    }
    if (wanted.isEmpty()) {
      throw new KubetuneException(TrainerExitCodes.NO_INPUT, field + ": no object under " + what);
    }
    removeOthers(local, wanted);
    return local;
  }

  private void fetch(String what, String bucket, String key, String etag, long size) {
    Path local = local(bucket, key);
    Path record = cache.resolve("s3-etags").resolve(bucket).resolve(key);
    try {
      String expected = etag + " " + size;
      if (Files.isRegularFile(local)
          && Files.isRegularFile(record)
          && Files.readString(record).strip().equals(expected)
          && Files.size(local) == size) {
        LOG.info("{}: in the cache ({}), ETag {} unchanged", what, local, etag);
        return;
      }
      Files.deleteIfExists(local); // an older version of the object, or an unrecorded file
      Optional<Digest> digest =
          MD5.matcher(etag).matches() ? Optional.of(Digest.md5(etag)) : Optional.empty();
      LOG.info("{}: downloading {} bytes into {}", what, size, local);
      downloaded +=
          ResumableDownload.fetch(
              what,
              local,
              size,
              digest,
              offset -> {
                GetObjectRequest.Builder get =
                    GetObjectRequest.builder().bucket(bucket).key(key).ifMatch(quoted(etag));
                if (offset > 0) {
                  get.range("bytes=" + offset + "-");
                }
                try {
                  return client().getObject(get.build());
                } catch (S3Exception e) {
                  if (e.statusCode() == 412) {
                    throw new ResumableDownload.ChangedException(
                        what + " changed: " + e.getMessage());
                  }
                  throw new IOException(what + ": " + e.awsErrorDetails().errorMessage(), e);
                }
              });
      Files.createDirectories(record.getParent());
      Files.writeString(record, expected + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new KubetuneException(TrainerExitCodes.IO_ERROR, what + ": " + e.getMessage(), e);
    } catch (UncheckedIOException | SdkClientException e) {
      throw new KubetuneException(TrainerExitCodes.IO_ERROR, what + ": " + e.getMessage(), e);
    }
  }

  private Path local(String bucket, String key) {
    return cache.resolve("s3").resolve(bucket).resolve(key);
  }

  /** Without the store, a copy fetched before is used as it is. */
  private Path cachedOrFail(String field, String what, Path local, SdkClientException e) {
    if (Files.exists(local)) {
      LOG.warn(
          "{}: cannot reach the store ({}); using the copy fetched before: {}",
          what,
          e.getMessage(),
          local);
      return local;
    }
    throw new KubetuneException(
        TrainerExitCodes.IO_ERROR,
        field + ": " + what + ": cannot reach the store and no copy is cached: " + e.getMessage(),
        e);
  }

  private static KubetuneException refused(String field, String what, S3Exception e) {
    int status = e.statusCode();
    String reason =
        e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    if (status == 403 || status == 401) {
      return new KubetuneException(
          TrainerExitCodes.CONFIG_ERROR,
          field
              + ": "
              + what
              + ": access denied ("
              + reason
              + "); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (in a cluster: the Secret of"
              + " spec.sourceSecretRef)");
    }
    if (status == 404) {
      return new KubetuneException(TrainerExitCodes.NO_INPUT, field + ": " + what + ": " + reason);
    }
    return new KubetuneException(TrainerExitCodes.IO_ERROR, field + ": " + what + ": " + reason, e);
  }

  /** Files left from objects that are gone from the prefix. */
  private static void removeOthers(Path folder, Set<Path> wanted) {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String name = p.getFileName().toString();
        if (!wanted.contains(p) && !name.endsWith(".lock") && !name.endsWith(".incomplete")) {
          Files.delete(p);
        }
      }
    } catch (IOException e) {
      throw new KubetuneException(TrainerExitCodes.IO_ERROR, folder + ": " + e.getMessage(), e);
    }
  }

  private static String etag(String raw) {
    return raw == null ? "" : raw.replace("\"", "");
  }

  private static String quoted(String etag) {
    return "\"" + etag + "\"";
  }

  private synchronized S3Client client() {
    if (client == null) {
      var builder =
          S3Client.builder()
              .httpClientBuilder(UrlConnectionHttpClient.builder())
              .region(Region.of(settings.region()))
              // our own size and MD5 checks; some S3-compatible stores refuse the SDK's new
              // default checksum headers
              .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
              .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
      settings.endpoint().ifPresent(e -> builder.endpointOverride(e).forcePathStyle(true));
      if (settings.accessKeyId().isPresent() && settings.secretAccessKey().isPresent()) {
        String id = settings.accessKeyId().get();
        String secret = settings.secretAccessKey().get();
        builder.credentialsProvider(
            StaticCredentialsProvider.create(
                settings
                    .sessionToken()
                    .<software.amazon.awssdk.auth.credentials.AwsCredentials>map(
                        t -> AwsSessionCredentials.create(id, secret, t))
                    .orElseGet(() -> AwsBasicCredentials.create(id, secret))));
      } else {
        builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
      }
      client = builder.build();
    }
    return client;
  }
}
