package io.kubetune.trainer.dist;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of c10d's TCPStore, the key-value store ranks meet at (torchrun's {@code
 * MASTER_ADDR:MASTER_PORT}). Rank 0's first store also hosts the server. Not thread-safe: give each
 * thread its own client.
 */
public final class TcpStore implements AutoCloseable {
  private final long handle;
  private final String address;

  private TcpStore(long handle, String address) {
    this.handle = handle;
    this.address = address;
  }

  /**
   * Connects (retrying until timeout) to the store at host:port, or, as the server, starts it.
   *
   * @param waitForWorld return only once world clients have connected (a join barrier), failing
   *     after timeout
   * @throws CollectiveException when the store cannot be reached or started in time
   */
  public static TcpStore open(
      String host, int port, boolean server, int world, Duration timeout, boolean waitForWorld) {
    C10dLibrary.load();
    long handle =
        C10dNative.ktd_store_open(
            host, port, server ? 1 : 0, world, timeout.toMillis(), waitForWorld ? 1 : 0);
    String address = host + ":" + port;
    if (handle == 0) {
      throw new CollectiveException(
          (server ? "starting the rendezvous store on " : "reaching the rendezvous store at ")
              + address
              + " failed: "
              + C10dNative.ktd_last_error());
    }
    return new TcpStore(handle, address);
  }

  long handle() {
    return handle;
  }

  public String address() {
    return address;
  }

  /** How long get() waits for a key that is not there yet. */
  public void setTimeout(Duration timeout) {
    check(C10dNative.ktd_store_set_timeout(handle, timeout.toMillis()), "set timeout");
  }

  public void set(String key, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    check(C10dNative.ktd_store_set(handle, key, bytes, bytes.length), "set " + key);
  }

  /** The value of key, waiting for it up to the store's timeout. */
  public String get(String key) {
    byte[] buffer = new byte[256];
    long length = C10dNative.ktd_store_get(handle, key, buffer, buffer.length);
    check(length < 0 ? -1 : 0, "get " + key);
    if (length > buffer.length) {
      buffer = new byte[(int) length];
      check(C10dNative.ktd_store_get(handle, key, buffer, buffer.length) < 0 ? -1 : 0, key);
    }
    return new String(buffer, 0, (int) length, StandardCharsets.UTF_8);
  }

  /** The value of key if it is set now; never waits. */
  public Optional<String> tryGet(String key) {
    int found = C10dNative.ktd_store_check(handle, key);
    check(found < 0 ? -1 : 0, "check " + key);
    return found == 1 ? Optional.of(get(key)) : Optional.empty();
  }

  /** Adds delta to the counter at key (0 when new) and returns its new value. */
  public long add(String key, long delta) {
    long[] out = new long[1];
    check(C10dNative.ktd_store_add(handle, key, delta, out), "add " + key);
    return out[0];
  }

  private void check(int rc, String what) {
    if (rc != 0) {
      throw new CollectiveException(
          "rendezvous store " + address + ": " + what + " failed: " + C10dNative.ktd_last_error());
    }
  }

  @Override
  public void close() {
    C10dNative.ktd_store_free(handle);
  }
}
