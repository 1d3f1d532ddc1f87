package io.kubetune.trainer.serve.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain TCP connection to the server, for what an HTTP client library will not do: stall, send
 * bytes slowly, declare a length and send less, send raw bytes, or leave mid-request.
 */
final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RawConnection(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  RawConnection send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawConnection send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** A request head (request line and headers, CRLF line ends) ending with the empty line. */
  static String head(String requestLine, String... headers) {
    StringBuilder b = new StringBuilder(requestLine).append("\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  /**
   * Reads until the server closes the connection or {@code limit} passes.
   *
   * @return what the server sent and whether it closed the connection in time
   */
  Reply readUntilClosed(Duration limit) throws IOException {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return new Reply(got.toString(StandardCharsets.UTF_8), false, Duration.ofNanos(left));
      }
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return closed(got, start);
        }
        got.write(buffer, 0, n);
      } catch (SocketTimeoutException e) {
        // loop: the deadline check ends it
      } catch (SocketException e) {
        // reset by the server: closed as well
        return closed(got, start);
      }
    }
  }

  private static Reply closed(ByteArrayOutputStream got, long start) {
    return new Reply(
        got.toString(StandardCharsets.UTF_8), true, Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * @param text everything received
   * @param closed whether the server closed the connection before the limit
   * @param after how long after the read started it closed
   */
  record Reply(String text, boolean closed, Duration after) {
    /** The status code of the first response, or -1 when none came. */
    int status() {
      if (!text.startsWith("HTTP/1.1 ")) {
        return -1;
      }
      return Integer.parseInt(text.substring(9, 12));
    }

    /** The first response's body (after the blank line). */
    String body() {
      int end = text.indexOf("\r\n\r\n");
      return end < 0 ? "" : text.substring(end + 4);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
