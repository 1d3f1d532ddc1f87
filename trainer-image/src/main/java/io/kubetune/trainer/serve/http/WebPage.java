package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * The web chat page and its assets, read once from the classpath ({@code web/}). Nothing comes from
 * a CDN, and the Content-Security-Policy allows only this server.
 */
final class WebPage {
  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Asset(String contentType, byte[] body) {}

  private final Map<String, Asset> assets =
      Map.of(
          "/", asset("index.html", "text/html; charset=utf-8"),
          "/chat.js", asset("chat.js", "text/javascript; charset=utf-8"),
          "/chat.css", asset("chat.css", "text/css; charset=utf-8"));

  Set<String> paths() {
    return assets.keySet();
  }

  void serve(Context ctx) {
    Asset asset = assets.get(ctx.path());
    ctx.header("Content-Security-Policy", CSP)
        .header("X-Content-Type-Options", "nosniff")
        .header("Cache-Control", "no-cache")
        .contentType(asset.contentType())
        .result(asset.body());
  }

  private static Asset asset(String name, String contentType) {
    String resource = "web/" + name;
    try (InputStream in = WebPage.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
