package io.kubetune.trainer.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The argument stack of one {@code aoti_torch_call_dispatcher} call. libtorch 2.7's stable values
 * are 64-bit slots: a tensor is a handle the dispatcher takes ownership of (so each argument gets a
 * fresh handle), numbers are raw bits, and an Optional is 0 for None or else a pointer to a heap
 * slot holding the value, which the dispatcher deletes after reading it. Lists and Scalars are not
 * supported by this libtorch.
 */
final class DispatcherCall {
  private final long[] stack;
  private int next;

  DispatcherCall(int args, int returns) {
    stack = new long[Math.max(args, returns)];
  }

  DispatcherCall tensor(NDArray t) {
    stack[next++] = newHandle(t);
    return this;
  }

  DispatcherCall optionalTensor(NDArray t) {
    return t == null ? none() : boxed(newHandle(t));
  }

  DispatcherCall integer(long v) {
    stack[next++] = v;
    return this;
  }

  DispatcherCall real(double v) {
    stack[next++] = Double.doubleToRawLongBits(v);
    return this;
  }

  DispatcherCall bool(boolean v) {
    stack[next++] = v ? 1 : 0;
    return this;
  }

  DispatcherCall dtype(Dtype d) {
    stack[next++] = d.code();
    return this;
  }

  DispatcherCall none() {
    stack[next++] = 0;
    return this;
  }

  long[] invoke(AtenOp op) {
    Shim.check(Shim.aoti_torch_call_dispatcher(op.nameC(), op.overloadC(), stack), op.toString());
    return stack;
  }

  private DispatcherCall boxed(long value) {
    // malloc'd rather than JNA Memory: libtorch deletes the slot (glibc: free) once it has read it
    long box = Native.malloc(Long.BYTES);
    new Pointer(box).setLong(0, value);
    stack[next++] = box;
    return this;
  }

  static long newHandle(NDArray t) {
    long[] out = new long[1];
    Shim.check(Shim.aoti_torch_new_tensor_handle(((PtNDArray) t).getHandle(), out), "new handle");
    return out[0];
  }
}
