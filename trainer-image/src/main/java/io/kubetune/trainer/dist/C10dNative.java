package io.kubetune.trainer.dist;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The C ABI of libkubetune_c10d.so (trainer-image/src/main/native/kubetune_c10d.cpp), bound with
 * JNA direct mapping. Handles are raw pointers; tensors are DJL PtNDArray handles ({@code
 * at::Tensor*}). Functions return 0 or a handle on success, -1 or 0 on failure with the reason in
 * {@link #ktd_last_error()} (per thread).
 */
final class C10dNative {
  private C10dNative() {}

  static void register(NativeLibrary library) {
    Native.register(C10dNative.class, library);
  }

  static native String ktd_last_error();

  static native String ktd_backends();

  static native long ktd_store_open(
      String host, int port, int isServer, int world, long timeoutMs, int waitWorkers);

  static native void ktd_store_free(long store);

  static native int ktd_store_set_timeout(long store, long timeoutMs);

  static native int ktd_store_set(long store, String key, byte[] value, long length);

  static native long ktd_store_get(long store, String key, byte[] buffer, long capacity);

  static native int ktd_store_check(long store, String key);

  static native int ktd_store_add(long store, String key, long delta, long[] out);

  static native long ktd_group_new(
      long store,
      String prefix,
      String backend,
      int rank,
      int world,
      long timeoutMs,
      String devices);

  static native void ktd_group_free(long group);

  static native int ktd_all_reduce(long group, long tensor, int op);

  static native int ktd_reduce_scatter(long group, long out, long in, int op);

  static native int ktd_all_gather(long group, long out, long in);

  static native int ktd_broadcast(long group, long tensor, int root);

  static native int ktd_barrier(long group);

  static native int ktd_set_data(long tensor, long source);

  static native int ktd_set_grad(long tensor, long grad);

  static native int ktd_clear_grad(long tensor);

  static native long ktd_bytes_of(long tensor);

  static native int ktd_set_view(long tensor, long bytes, long byteOffset, int dtype);

  static native int ktd_release(long tensor);

  static native void ktd_tensor_free(long tensor);
}
