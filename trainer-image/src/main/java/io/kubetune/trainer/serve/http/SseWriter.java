package io.kubetune.trainer.serve.http;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events as OpenAI streams them: {@code data: <json>} events, a final {@code data:
 * [DONE]}, and comment lines to keep the connection alive (and to find out that the client left).
 * Every event is flushed at once; a failed write throws, which is how a vanished client shows.
 */
final class SseWriter {
  private final HttpServletResponse response;
  private final OutputStream out;

  private SseWriter(HttpServletResponse response) throws IOException {
    this.response = response;
    this.out = response.getOutputStream();
  }

  /** Commits a 200 text/event-stream response (no compression, no proxy buffering). */
  static SseWriter open(HttpServletResponse response) throws IOException {
    response.setStatus(200);
    response.setContentType("text/event-stream; charset=utf-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    SseWriter writer = new SseWriter(response);
    response.flushBuffer();
    return writer;
  }

  /** One event whose data is a single line of JSON. */
  void data(String json) throws IOException {
    write("data: " + json + "\n\n");
  }

  void done() throws IOException {
    write("data: [DONE]\n\n");
  }

  /** A comment line: clients ignore it; writing it detects a closed connection. */
  void keepAlive() throws IOException {
    write(": keep-alive\n\n");
  }

  private void write(String event) throws IOException {
    out.write(event.getBytes(StandardCharsets.UTF_8));
    out.flush();
    response.flushBuffer();
  }
}
