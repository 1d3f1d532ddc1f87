package io.kubetune.trainer.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * ATen operators that DJL lacks, or that DJL cannot run on bf16 tensors (it aborts the JVM on
 * dtypes it does not know), called through libtorch's dispatcher. Autograd applies as for any ATen
 * call. Results belong to the first tensor argument's manager, as DJL's own ops do.
 */
public final class Aten {
  private static final AtenOp TO_DTYPE = AtenOp.of("aten::to", "dtype");
  private static final AtenOp SILU = AtenOp.of("aten::silu", "");
  private static final AtenOp LINEAR = AtenOp.of("aten::linear", "");
  private static final AtenOp SDPA = AtenOp.of("aten::scaled_dot_product_attention", "");
  private static final AtenOp NARROW = AtenOp.of("aten::narrow", "");
  private static final AtenOp EMBEDDING = AtenOp.of("aten::embedding", "");
  private static final AtenOp CROSS_ENTROPY = AtenOp.of("aten::cross_entropy_loss", "");
  private static final AtenOp RSQRT = AtenOp.of("aten::rsqrt", "");
  private static final AtenOp CONTIGUOUS = AtenOp.of("aten::contiguous", "");
  private static final AtenOp DROPOUT = AtenOp.of("aten::dropout", "");
  private static final AtenOp SET_SOURCE = AtenOp.of("aten::set_", "source_Tensor");
  private static final AtenOp ZERO = AtenOp.of("aten::zero_", "");
  private static final AtenOp FLATTEN = AtenOp.of("aten::flatten", "using_ints");
  private static final AtenOp IS_LEAF = AtenOp.of("aten::is_leaf", "");

  /** aten::cross_entropy_loss reductions. */
  public enum Reduction {
    NONE,
    MEAN,
    SUM
  }

  private Aten() {}

  /** The element type, also for dtypes DJL does not know (bf16 shows as UNKNOWN there). */
  public static Dtype dtype(NDArray x) {
    int[] out = new int[1];
    Shim.check(Shim.aoti_torch_get_dtype(handle(x), out), "get_dtype");
    return Dtype.fromCode(out[0]);
  }

  /** A differentiable cast (DJL's toType is not). Returns x itself when it has the dtype. */
  public static NDArray to(NDArray x, Dtype dtype) {
    if (dtype(x) == dtype) {
      return x;
    }
    DispatcherCall c = new DispatcherCall(5, 1);
    return wrap(x, c.tensor(x).dtype(dtype).bool(false).bool(false).none().invoke(TO_DTYPE));
  }

  public static NDArray silu(NDArray x) {
    DispatcherCall c = new DispatcherCall(1, 1);
    return wrap(x, c.tensor(x).invoke(SILU));
  }

  public static NDArray rsqrt(NDArray x) {
    DispatcherCall c = new DispatcherCall(1, 1);
    return wrap(x, c.tensor(x).invoke(RSQRT));
  }

  /** x W^T + b, W of shape [out, in] as HuggingFace stores it; bias may be null. */
  public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    DispatcherCall c = new DispatcherCall(3, 1);
    return wrap(x, c.tensor(x).tensor(weight).optionalTensor(bias).invoke(LINEAR));
  }

  /**
   * Scaled dot-product attention (flash / memory-efficient kernels where libtorch has them).
   *
   * @param q [B, H, Tq, D]
   * @param k [B, Hkv, Tk, D]
   * @param v [B, Hkv, Tk, D]
   * @param mask null, or a bool tensor broadcastable to [B, H, Tq, Tk], true = may attend
   * @param causal apply a causal mask aligned at the top-left (only for Tq == Tk without mask)
   * @param groupedQuery H is a multiple of Hkv (grouped-query attention)
   */
  public static NDArray scaledDotProductAttention(
      NDArray q, NDArray k, NDArray v, NDArray mask, boolean causal, boolean groupedQuery) {
    DispatcherCall c = new DispatcherCall(8, 1);
    c.tensor(q).tensor(k).tensor(v).optionalTensor(mask).real(0.0).bool(causal).none();
    return wrap(q, c.bool(groupedQuery).invoke(SDPA));
  }

  /** A view of length elements of dim starting at start. */
  public static NDArray narrow(NDArray x, int dim, long start, long length) {
    DispatcherCall c = new DispatcherCall(4, 1);
    return wrap(x, c.tensor(x).integer(dim).integer(start).integer(length).invoke(NARROW));
  }

  /** Rows of weight selected by the int64 indices. */
  public static NDArray embedding(NDArray weight, NDArray indices) {
    DispatcherCall c = new DispatcherCall(5, 1);
    c.tensor(weight).tensor(indices).integer(-1).bool(false).bool(false);
    return wrap(weight, c.invoke(EMBEDDING));
  }

  /**
   * Cross entropy of logits [N, V] against int64 targets [N]; targets equal to ignoreIndex do not
   * count.
   */
  public static NDArray crossEntropy(
      NDArray logits, NDArray targets, long ignoreIndex, Reduction reduction) {
    DispatcherCall c = new DispatcherCall(6, 1);
    c.tensor(logits).tensor(targets).none().integer(reduction.ordinal()).integer(ignoreIndex);
    return wrap(logits, c.real(0.0).invoke(CROSS_ENTROPY));
  }

  /** Zeroes elements with probability p and scales the rest by 1/(1-p), in training mode. */
  public static NDArray dropout(NDArray x, double p) {
    DispatcherCall c = new DispatcherCall(3, 1);
    return wrap(x, c.tensor(x).real(p).bool(true).invoke(DROPOUT));
  }

  public static NDArray contiguous(NDArray x) {
    DispatcherCall c = new DispatcherCall(2, 1);
    c.tensor(x).integer(Shim.aoti_torch_memory_format_contiguous_format());
    return wrap(x, c.invoke(CONTIGUOUS));
  }

  /** Copies src into dst in place (broadcasting and casting as torch's copy_ does). */
  public static void copyInto(NDArray dst, NDArray src) {
    Shim.check(Shim.aoti_torch_copy_(handle(dst), handle(src), 0), "copy_");
  }

  /**
   * Makes x share source's storage, shape and strides (torch's {@code x.set_(source)}), under
   * no_grad so that it works on a leaf that requires grad. x keeps its identity: every module
   * holding it now reads source's memory. Must not be called while an autograd graph that saved x
   * is alive.
   */
  public static void setStorage(NDArray x, NDArray source) {
    noGrad(
        () -> {
          DispatcherCall c = new DispatcherCall(2, 1);
          long[] out = c.tensor(x).tensor(source).invoke(SET_SOURCE);
          Shim.check(Shim.aoti_torch_delete_tensor_object(out[0]), "delete");
          return null;
        });
  }

  /** x as one dimension (a view when x is contiguous), for any dtype. */
  public static NDArray flatten(NDArray x) {
    DispatcherCall c = new DispatcherCall(3, 1);
    return wrap(x, c.tensor(x).integer(0).integer(-1).invoke(FLATTEN));
  }

  /** Fills x with zeros in place (NaN and infinities too, unlike x - x). */
  public static void zero(NDArray x) {
    noGrad(
        () -> {
          DispatcherCall c = new DispatcherCall(1, 1);
          Shim.check(Shim.aoti_torch_delete_tensor_object(c.tensor(x).invoke(ZERO)[0]), "delete");
          return null;
        });
  }

  /** An uninitialised contiguous tensor. */
  public static NDArray empty(NDManager manager, Shape shape, Dtype dtype) {
    long[] sizes = shape.getShape();
    long[] out = new long[1];
    Shim.check(
        Shim.aoti_torch_empty_strided(
            sizes.length,
            sizes,
            contiguousStrides(sizes),
            dtype.code(),
            Shim.aoti_torch_device_type_cpu(),
            0,
            out),
        "empty_strided");
    return new PtNDArray((PtNDManager) manager, out[0]);
  }

  /**
   * A tensor over memory that the caller owns and keeps alive (and unchanged where the tensor is
   * read) for as long as the tensor exists. No copy is made.
   */
  public static NDArray fromAddress(NDManager manager, long address, Shape shape, Dtype dtype) {
    return fromAddress(manager, address, shape, contiguousStrides(shape.getShape()), dtype);
  }

  /**
   * Like {@link #fromAddress} with explicit strides (in elements): a view of memory laid out as a
   * strided tensor, e.g. a transposed tensor inside a pickled storage.
   */
  public static NDArray fromAddress(
      NDManager manager, long address, Shape shape, long[] strides, Dtype dtype) {
    long[] sizes = shape.getShape();
    long[] out = new long[1];
    Shim.check(
        Shim.aoti_torch_create_tensor_from_blob(
            address,
            sizes.length,
            sizes,
            strides,
            0,
            dtype.code(),
            Shim.aoti_torch_device_type_cpu(),
            0,
            out),
        "create_tensor_from_blob");
    return new PtNDArray((PtNDManager) manager, out[0]);
  }

  /** The address of the first element. */
  public static long dataAddress(NDArray x) {
    long[] out = new long[1];
    Shim.check(Shim.aoti_torch_get_data_ptr(handle(x), out), "get_data_ptr");
    return out[0];
  }

  /**
   * Whether autograd records x's history (torch's {@code x.requires_grad}). DJL's
   * JniUtils.requiresGrad alone is not enough: on this libtorch it answers false for an op's result
   * that has a grad_fn (y = x * 2 with x requiring grad), so a tensor that is not a leaf, which
   * only a recorded op makes, counts too.
   */
  public static boolean requiresGrad(NDArray x) {
    if (JniUtils.requiresGrad((PtNDArray) x)) {
      return true;
    }
    long[] out = new DispatcherCall(1, 1).tensor(x).invoke(IS_LEAF);
    return (out[0] & 0xFF) == 0; // a bool in the slot's low byte
  }

  /** Runs body with autograd recording switched off on this thread (torch.no_grad()). */
  public static <T> T noGrad(java.util.function.Supplier<T> body) {
    // the C function returns a bool: only the low byte of the int JNA reads is defined
    boolean was = (Shim.aoti_torch_grad_mode_is_enabled() & 0xFF) != 0;
    Shim.aoti_torch_grad_mode_set_enabled(false);
    try {
      return body.get();
    } finally {
      Shim.aoti_torch_grad_mode_set_enabled(was);
    }
  }

  static long[] contiguousStrides(long[] sizes) {
    long[] strides = new long[sizes.length];
    long s = 1;
    for (int i = sizes.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= sizes[i];
    }
    return strides;
  }

  private static long handle(NDArray x) {
    return ((PtNDArray) x).getHandle();
  }

  private static NDArray wrap(NDArray like, long[] stack) {
    return new PtNDArray((PtNDManager) like.getManager(), stack[0]);
  }
}
