package io.kubetune.trainer.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import io.kubetune.trainer.torch.Dtype;

/**
 * Where a parameter's values and gradient live, changed without changing the tensor object the
 * model holds (what FSDP does with {@code param.data} and {@code param.grad}). Needs the native
 * library: only sharded (distributed) training uses it.
 */
public final class ParameterStorage {
  private ParameterStorage() {}

  /** A flat uint8 view of a contiguous tensor's memory, owned by manager. */
  public static NDArray bytesOf(NDManager manager, NDArray t) {
    C10dLibrary.load();
    long handle = C10dNative.ktd_bytes_of(h(t));
    check(handle == 0 ? -1 : 0, "bytes_of");
    return new PtNDArray((PtNDManager) manager, handle);
  }

  /** t now reads bytes [byteOffset, byteOffset + its size) of the flat uint8 tensor bytes. */
  public static void viewInto(NDArray t, NDArray bytes, long byteOffset) {
    check(C10dNative.ktd_set_view(h(t), h(bytes), byteOffset, -1), "set_view");
  }

  /** The same, the bytes seen as dtype (t takes that dtype). */
  public static void viewInto(NDArray t, NDArray bytes, long byteOffset, Dtype dtype) {
    check(C10dNative.ktd_set_view(h(t), h(bytes), byteOffset, dtype.code()), "set_view");
  }

  /** t keeps its shape but gives its memory up (until the next viewInto). */
  public static void release(NDArray t) {
    check(C10dNative.ktd_release(h(t)), "release");
  }

  /** Backward accumulates t's gradient into grad (e.g. a view of a flat buffer), in place. */
  public static void setGrad(NDArray t, NDArray grad) {
    check(C10dNative.ktd_set_grad(h(t), h(grad)), "set_grad");
  }

  /** t.grad = None: its gradient memory is freed. */
  public static void clearGrad(NDArray t) {
    check(C10dNative.ktd_clear_grad(h(t)), "clear_grad");
  }

  private static long h(NDArray t) {
    return ((PtNDArray) t).getHandle();
  }

  private static void check(int rc, String what) {
    if (rc != 0) {
      throw new IllegalStateException(what + ": " + C10dNative.ktd_last_error());
    }
  }
}
