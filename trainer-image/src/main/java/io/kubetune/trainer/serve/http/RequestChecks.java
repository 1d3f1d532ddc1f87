package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.kubetune.trainer.serve.openai.ApiError;
import java.util.Locale;
import org.eclipse.jetty.http.MimeTypes;

/** Checks of a request's headers that come before anything reads its body. */
final class RequestChecks {
  private final long maxBodyBytes;

  /**
   * @param maxBodyBytes larger bodies are refused
   */
  RequestChecks(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * 413 at once for a body declared larger than the limit, instead of reading (or waiting for) it.
   * Bodies of unknown length are counted as they are read.
   */
  void declaredLength(Context ctx) {
    if (ctx.req().getContentLengthLong() > maxBodyBytes) {
      throw ApiError.bodyTooLarge(maxBodyBytes);
    }
  }

  /**
   * 415 unless a POST declares a JSON body ({@code application/json}, with charset utf-8 if any).
   * Besides honesty about the format, this closes the door on "simple" cross-origin requests: a
   * page elsewhere can make a browser POST text/plain or a form without asking first (no CORS
   * preflight), but not application/json, so it cannot spend an open server's compute.
   */
  void jsonBody(Context ctx) {
    if (ctx.method() != HandlerType.POST) {
      return;
    }
    String type = ctx.req().getContentType();
    if (type == null
        || !MimeTypes.getBase(type).strip().equalsIgnoreCase("application/json")
        || !utf8OrNone(MimeTypes.getCharsetFromContentType(type))) {
      throw ApiError.unsupportedMediaType(type);
    }
  }

  private static boolean utf8OrNone(String charset) {
    return charset == null || charset.toLowerCase(Locale.ROOT).equals(MimeTypes.UTF8);
  }
}
