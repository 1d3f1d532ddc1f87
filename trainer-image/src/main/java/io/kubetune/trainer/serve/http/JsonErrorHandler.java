package io.kubetune.trainer.serve.http;

import io.kubetune.trainer.serve.openai.ApiError;
import io.kubetune.trainer.serve.openai.OpenAiJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches the application (a malformed request line
 * or header, a header block too large), in OpenAI's error shape instead of an HTML page, and with
 * nothing but Jetty's reason for a 4xx (never an exception's class name).
 */
final class JsonErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    // Jetty's reason for a malformed request ("Illegal character ..."); an exception's text
    // could name our internals, so it is never used
    String reason;
    if (cause instanceof HttpException e && e.getReason() != null) {
      reason = e.getReason();
    } else if (cause == null && message != null) {
      reason = message;
    } else {
      reason = HttpStatus.getMessage(code);
    }
    ApiError error = ApiError.http(code, "The request was refused: " + reason + ".");
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    byte[] body = OpenAiJson.write(error.body()).getBytes(StandardCharsets.UTF_8);
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
