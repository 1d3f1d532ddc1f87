package io.kubetune.trainer.serve.http;

import static io.kubetune.trainer.serve.http.OpenAiApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.serve.BatchEngine;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP details: content types, HEAD, strict UTF-8, and no internals in any error. */
class HttpConformanceTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            new BatchEngine.Config(2, 8, 256),
            TestServer.options(null).withMaxBodyBytes(64 * 1024));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static final String CHAT =
      "{\"model\": \"qwen2\", \"max_tokens\": 2,"
          + " \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}";

  private static HttpResponse<String> post(String path, String body, String contentType) {
    HttpRequest.Builder b = server.request(path).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return server.send(b.build());
  }

  @Test
  void postsNeedAJsonContentType() {
    // what a page on another origin can send without a CORS preflight, and no type at all
    for (String type :
        new String[] {
          "text/plain",
          "text/plain;charset=UTF-8",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/jsonx",
          "application/json; charset=iso-8859-1",
          null
        }) {
      for (String path : List.of("/v1/chat/completions", "/v1/completions")) {
        var e = assertError(post(path, CHAT, type), 415, null, "unsupported_media_type");
        assertThat(e.get("message").asText()).as(type).contains("application/json");
      }
    }
    for (String type :
        new String[] {"application/json", "Application/JSON; charset=utf-8", "application/json;"}) {
      assertThat(post("/v1/chat/completions", CHAT, type).statusCode()).as(type).isEqualTo(200);
    }
  }

  @Test
  void headCarriesTheHeadersOfGet() {
    for (String path : List.of("/health", "/metrics", "/v1/models", "/v1/models/qwen2", "/")) {
      HttpResponse<String> get = server.get(path);
      HttpResponse<String> head =
          server.send(
              server.request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
      assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
      assertThat(head.body()).as(path).isEmpty();
      Map<String, List<String>> getHeaders = new java.util.TreeMap<>(get.headers().map());
      Map<String, List<String>> headHeaders = new java.util.TreeMap<>(head.headers().map());
      getHeaders.remove("date");
      headHeaders.remove("date");
      if (path.equals("/metrics")) {
        // the body (and so its length) changes between two scrapes
        getHeaders.remove("content-length");
        headHeaders.remove("content-length");
        assertThat(head.headers().firstValue("content-length")).as(path).isPresent();
      }
      assertThat(headHeaders).as(path).isEqualTo(getHeaders);
    }
    HttpResponse<String> unknown =
        server.send(
            server.request("/nope").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void overlongUtf8IsRefusedLikeOtherInvalidUtf8() throws Exception {
    for (byte[] bad :
        new byte[][] {
          {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
          {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong '/' in three bytes
          {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate
          {(byte) 0xFF}, // never valid
        }) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(
          "{\"model\": \"qwen2\", \"max_tokens\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"a"
              .getBytes(StandardCharsets.UTF_8));
      body.write(bad);
      body.write("b\"}]}".getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> r =
          server.send(
              server
                  .request("/v1/chat/completions")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                  .build());
      var e = assertError(r, 400, null, "invalid_json");
      assertThat(e.get("message").asText()).contains("UTF-8");
    }
  }

  @Test
  void malformedRequestsGetJsonErrorsWithoutInternals() throws Exception {
    for (String raw :
        new String[] {
          "GET /health HTTP/1.1\r\nHost: test\r\nBad Header\r\n\r\n",
          "GET /health HTTP/1.1\r\nHost: test\r\nContent-Length: x\r\n\r\n",
          "GET /%zz HTTP/1.1\r\nHost: test\r\n\r\n",
          "POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
              + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
          "GET /" + "a".repeat(20000) + " HTTP/1.1\r\nHost: test\r\n\r\n",
        }) {
      try (RawConnection c = new RawConnection(server.server.port())) {
        c.send(raw);
        RawConnection.Reply r = c.readUntilClosed(Duration.ofSeconds(10));
        String what = raw.substring(0, Math.min(60, raw.length())) + " -> " + r.text();
        assertThat(r.status()).as(what).isBetween(400, 499);
        assertThat(r.text())
            .as(what)
            .doesNotContainIgnoringCase("exception")
            .doesNotContain("org.eclipse")
            .doesNotContain("java.")
            .doesNotContain("<html");
        assertThat(TestServer.json(r.body()).get("error").get("message").asText())
            .as(what)
            .isNotBlank();
      }
    }
  }
}
