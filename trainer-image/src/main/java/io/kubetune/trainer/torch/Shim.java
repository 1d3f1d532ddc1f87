package io.kubetune.trainer.torch;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;

/**
 * libtorch's stable C interface ({@code aoti_torch_*}), exported by the very libtorch_cpu.so that
 * DJL loads, bound with JNA direct mapping. A DJL PtNDArray handle is an {@code at::Tensor*}, which
 * is exactly an {@code AtenTensorHandle}, so these functions work on DJL tensors. Every function
 * returns 0 on success; libtorch prints the exception text to stderr otherwise.
 */
final class Shim {
  private Shim() {}

  static {
    Engine.getEngine("PyTorch"); // DJL loads (and, the first time, extracts) libtorch
    Path lib = Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
    Native.register(Shim.class, NativeLibrary.getInstance(lib.toString()));
  }

  static native int aoti_torch_call_dispatcher(Pointer opName, Pointer overloadName, long[] stack);

  static native int aoti_torch_new_tensor_handle(long orig, long[] out);

  static native int aoti_torch_delete_tensor_object(long tensor);

  static native int aoti_torch_get_dtype(long tensor, int[] out);

  static native int aoti_torch_get_data_ptr(long tensor, long[] out);

  static native int aoti_torch_get_numel(long tensor, long[] out);

  static native int aoti_torch_create_tensor_from_blob(
      long data,
      long ndim,
      long[] sizes,
      long[] strides,
      long storageOffset,
      int dtype,
      int deviceType,
      int deviceIndex,
      long[] out);

  static native int aoti_torch_empty_strided(
      long ndim,
      long[] sizes,
      long[] strides,
      int dtype,
      int deviceType,
      int deviceIndex,
      long[] out);

  static native int aoti_torch_copy_(long self, long src, int nonBlocking);

  /** Returns a C bool: read only the low byte. */
  static native int aoti_torch_grad_mode_is_enabled();

  static native void aoti_torch_grad_mode_set_enabled(boolean enabled);

  static native int aoti_torch_device_type_cpu();

  static native int aoti_torch_memory_format_contiguous_format();

  static native int aoti_torch_dtype_float32();

  static native int aoti_torch_dtype_float16();

  static native int aoti_torch_dtype_bfloat16();

  static native int aoti_torch_dtype_float64();

  static native int aoti_torch_dtype_int64();

  static native int aoti_torch_dtype_int32();

  static native int aoti_torch_dtype_int16();

  static native int aoti_torch_dtype_int8();

  static native int aoti_torch_dtype_uint8();

  static native int aoti_torch_dtype_bool();

  static void check(int rc, String what) {
    if (rc != 0) {
      throw new TorchException(what + " failed in libtorch (its message is on stderr)");
    }
  }
}
