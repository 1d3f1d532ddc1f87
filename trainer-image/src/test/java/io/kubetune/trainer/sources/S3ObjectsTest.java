package io.kubetune.trainer.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.SourceUri;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.config.JobSpecLoader;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.config.SourceResolver;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.quickstart.TinyBaseModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * s3:// sources against a real S3-compatible server (versitygw, {@link S3Server}): what is fetched,
 * what is never fetched again (the server's access log has no second GET), resuming a partial
 * download with a ranged GET, the MD5 check of a single-part ETag, multipart objects, and the
 * errors a user meets (wrong key, no such object, the store down).
 */
class S3ObjectsTest {
  private static final String BUCKET = "training-data";
  @TempDir static Path serverDir;
  private static S3Server server;
  private static S3Client s3;
  private static final byte[] BIG = new byte[3_000_000];

  @TempDir Path home;

  @BeforeAll
  static void start() throws Exception {
    server = S3Server.start(serverDir);
    s3 = server.client();
    s3.createBucket(b -> b.bucket(BUCKET));
    new Random(7).nextBytes(BIG);
    put("blobs/big.bin", BIG);
    put("chats/identity.jsonl", "{\"messages\": []}\n".getBytes());
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
    server.close();
  }

  private static void put(String key, byte[] data) {
    s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(data));
  }

  private S3Objects objects() {
    return new S3Objects(S3Settings.fromEnvironment(server.env(home)), home.resolve("cache"));
  }

  private static SourceUri uri(String key) {
    return SourceUri.parse("datasets[0].source", "s3://" + BUCKET + "/" + key);
  }

  @Test
  void fetchesAnObjectOnceAndNeverAgain() throws Exception {
    S3Objects first = objects();
    Path local = first.file("datasets[0].source", uri("blobs/big.bin"));
    assertThat(Files.readAllBytes(local)).isEqualTo(BIG);
    assertThat(first.bytesDownloaded()).isEqualTo(BIG.length);
    int gets = server.requests("s3_GetObject", "blobs/big.bin").size();

    S3Objects second = objects(); // a new process: a retried pod on the same claim
    assertThat(second.file("datasets[0].source", uri("blobs/big.bin"))).isEqualTo(local);
    assertThat(second.bytesDownloaded()).isZero();
    assertThat(server.requests("s3_GetObject", "blobs/big.bin")).hasSize(gets);
  }

  @Test
  void resumesAPartialDownloadWithARangedGet() throws Exception {
    Path local = home.resolve("cache/s3/" + BUCKET + "/blobs/big.bin");
    Files.createDirectories(local.getParent());
    Files.write(
        local.resolveSibling("big.bin.incomplete"), java.util.Arrays.copyOf(BIG, 1_000_000));

    S3Objects objects = objects();
    assertThat(Files.readAllBytes(objects.file("f", uri("blobs/big.bin")))).isEqualTo(BIG);
    assertThat(objects.bytesDownloaded()).isEqualTo(BIG.length - 1_000_000);
  }

  @Test
  void aPartialFileWithOtherBytesFailsTheMd5CheckAndIsRemoved() throws Exception {
    Path local = home.resolve("cache/s3/" + BUCKET + "/blobs/big.bin");
    Files.createDirectories(local.getParent());
    Path partial = local.resolveSibling("big.bin.incomplete");
    Files.write(partial, new byte[1_000_000]);

    assertThatThrownBy(() -> objects().file("f", uri("blobs/big.bin")))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.IO_ERROR))
        .hasMessageContaining("does not match its MD5");
    assertThat(partial).doesNotExist();
    assertThat(Files.readAllBytes(objects().file("f", uri("blobs/big.bin")))).isEqualTo(BIG);
  }

  @Test
  void aFolderIsEveryObjectUnderThePrefixAndFollowsItsChanges() throws Exception {
    put("models/tiny/config.json", "{\"a\": 1}".getBytes());
    put("models/tiny/sub/tokenizer.json", "{}".getBytes());
    put("models/tiny/old.bin", "old".getBytes());
    put("models/tinyish/not-this.json", "x".getBytes());
    SourceUri model = SourceUri.parse("model.source", "s3://" + BUCKET + "/models/tiny/");

    Path dir = objects().folder("model.source", model);
    assertThat(Files.readString(dir.resolve("config.json"))).isEqualTo("{\"a\": 1}");
    assertThat(dir.resolve("sub/tokenizer.json")).exists();
    assertThat(dir.resolveSibling("tinyish")).doesNotExist();

    put("models/tiny/config.json", "{\"a\": 2}".getBytes());
    s3.deleteObject(b -> b.bucket(BUCKET).key("models/tiny/old.bin"));
    S3Objects again = objects();
    again.folder("model.source", model);
    assertThat(Files.readString(dir.resolve("config.json"))).isEqualTo("{\"a\": 2}");
    assertThat(dir.resolve("old.bin")).doesNotExist();
    assertThat(again.bytesDownloaded()).as("only the changed object").isEqualTo(8);
  }

  @Test
  void aMultipartObjectIsCheckedBySize() throws Exception {
    byte[] part1 = new byte[5 * 1024 * 1024];
    new Random(1).nextBytes(part1);
    byte[] part2 = "the last part".getBytes();
    String key = "blobs/multipart.bin";
    String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
    String e1 =
        s3.uploadPart(
                b -> b.bucket(BUCKET).key(key).uploadId(id).partNumber(1),
                RequestBody.fromBytes(part1))
            .eTag();
    String e2 =
        s3.uploadPart(
                b -> b.bucket(BUCKET).key(key).uploadId(id).partNumber(2),
                RequestBody.fromBytes(part2))
            .eTag();
    s3.completeMultipartUpload(
        b ->
            b.bucket(BUCKET)
                .key(key)
                .uploadId(id)
                .multipartUpload(
                    m ->
                        m.parts(
                            CompletedPart.builder().partNumber(1).eTag(e1).build(),
                            CompletedPart.builder().partNumber(2).eTag(e2).build())));
    assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).eTag()).contains("-2");

    Path local = objects().file("f", uri(key));
    assertThat(Files.size(local)).isEqualTo(part1.length + part2.length);
    assertThat(Files.readAllBytes(local)).endsWith(part2);
  }

  @Test
  void errorsSayWhatIsWrong() {
    assertThatThrownBy(() -> objects().file("datasets[0].source", uri("chats/missing.jsonl")))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.NO_INPUT))
        .hasMessageContaining("datasets[0].source: s3://training-data/chats/missing.jsonl");

    Map<String, String> wrong = new HashMap<>(server.env(home));
    wrong.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
    S3Objects denied = new S3Objects(S3Settings.fromEnvironment(wrong), home.resolve("cache"));
    assertThatThrownBy(() -> denied.file("datasets[0].source", uri("chats/identity.jsonl")))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.CONFIG_ERROR))
        .hasMessageContaining("access denied")
        .hasMessageContaining("spec.sourceSecretRef");
  }

  @Test
  void withoutTheStoreACachedCopyIsUsedAndOtherwiseTheFailureIsRetryable() throws Exception {
    Path local = objects().file("f", uri("chats/identity.jsonl"));
    Map<String, String> down = new HashMap<>(server.env(home));
    down.put("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
    S3Objects offline = new S3Objects(S3Settings.fromEnvironment(down), home.resolve("cache"));
    assertThat(offline.file("f", uri("chats/identity.jsonl"))).isEqualTo(local);
    assertThatThrownBy(() -> offline.file("f", uri("blobs/big.bin")))
        .isInstanceOfSatisfying(
            KubetuneException.class,
            e -> assertThat(e.exitCode()).isEqualTo(TrainerExitCodes.IO_ERROR))
        .hasMessageContaining("cannot reach the store");
  }

  @Test
  void aJobSpecWithS3SourcesLoadsAsTrainingLoadsIt() throws Exception {
    Path tokenizerDir = home.resolve("tok");
    Path tokenizer = TinyBaseModel.copyResource("tokenizer.json", tokenizerDir);
    s3.putObject(
        b -> b.bucket(BUCKET).key("models/quickstart/tokenizer.json"),
        RequestBody.fromFile(tokenizer));
    Path job =
        Files.writeString(
            home.resolve("job.yaml"),
            """
            model: {source: "s3://training-data/models/quickstart"}
            datasets:
              - {source: "s3://training-data/chats/identity.jsonl", format: openai}
            """);
    ResolvedJob resolved =
        new JobSpecLoader(new SourceResolver(home.resolve("pvc"), server.env(home))).load(job);
    assertThat(resolved.modelDir().resolve("tokenizer.json")).hasSameBinaryContentAs(tokenizer);
    assertThat(resolved.datasetFiles())
        .containsExactly(
            home.resolve(".cache/kubetune/sources/s3/training-data/chats/identity.jsonl"));
    assertThat(List.of(resolved.modelDir()))
        .containsExactly(
            home.resolve(".cache/kubetune/sources/s3/training-data/models/quickstart"));
  }
}
