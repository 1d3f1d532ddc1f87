package io.kubetune.trainer.torch;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Tensor element types, with their safetensors names and libtorch codes. libtorch's codes are read
 * from the library itself rather than hard-coded.
 */
public enum Dtype {
  F32("F32", 4, Shim::aoti_torch_dtype_float32),
  F16("F16", 2, Shim::aoti_torch_dtype_float16),
  BF16("BF16", 2, Shim::aoti_torch_dtype_bfloat16),
  F64("F64", 8, Shim::aoti_torch_dtype_float64),
  I64("I64", 8, Shim::aoti_torch_dtype_int64),
  I32("I32", 4, Shim::aoti_torch_dtype_int32),
  I16("I16", 2, Shim::aoti_torch_dtype_int16),
  I8("I8", 1, Shim::aoti_torch_dtype_int8),
  U8("U8", 1, Shim::aoti_torch_dtype_uint8),
  BOOL("BOOL", 1, Shim::aoti_torch_dtype_bool);

  private final String safetensorsName;
  private final int byteSize;
  private final IntSupplier code;

  Dtype(String safetensorsName, int byteSize, IntSupplier code) {
    this.safetensorsName = safetensorsName;
    this.byteSize = byteSize;
    this.code = code;
  }

  public String safetensorsName() {
    return safetensorsName;
  }

  public int byteSize() {
    return byteSize;
  }

  /** libtorch's c10::ScalarType value. */
  public int code() {
    return code.getAsInt();
  }

  public boolean isFloatingPoint() {
    return this == F32 || this == F16 || this == BF16 || this == F64;
  }

  public static Optional<Dtype> fromSafetensors(String name) {
    return Arrays.stream(values()).filter(d -> d.safetensorsName.equals(name)).findFirst();
  }

  public static Dtype fromCode(int code) {
    return Arrays.stream(values())
        .filter(d -> d.code() == code)
        .findFirst()
        .orElseThrow(() -> new TorchException("unsupported libtorch dtype code " + code));
  }

  /** The dtype named in config.json ("float32", "bfloat16", "float16"). */
  public static Dtype fromTorchName(String name) {
    return switch (name) {
      case "float32", "float" -> F32;
      case "bfloat16" -> BF16;
      case "float16", "half" -> F16;
      default -> throw new IllegalArgumentException("unsupported torch dtype '" + name + "'");
    };
  }
}
