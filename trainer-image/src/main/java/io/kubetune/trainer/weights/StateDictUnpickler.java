package io.kubetune.trainer.weights;

import io.kubetune.trainer.torch.Dtype;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Unpickles the {@code data.pkl} of a {@code torch.save}d state dict with an allow-list: the only
 * globals it resolves are those a state dict needs (torch's tensor and parameter rebuilders, the
 * typed storage classes, {@code collections.OrderedDict}); any other global, and the opcodes that
 * instantiate arbitrary classes, stop the load with an error that names them. Nothing is executed
 * either way (this is Java), but a file that asks for {@code os.system} is not a checkpoint to
 * train on. Storages come back as {@link StorageRef}s (torch's persistent ids), tensors as {@link
 * TensorRef}s; the bytes stay in the zip for the caller to map.
 *
 * <p>One instance per file; not thread-safe (the razorvine Unpickler is not).
 */
final class StateDictUnpickler extends Unpickler {
  /** A storage record of the zip: data/KEY, numel elements of dtype. */
  record StorageRef(String key, Dtype dtype, long numel) {}

  /** A tensor: a strided view of a storage (sizes and strides in elements). */
  record TensorRef(StorageRef storage, long offset, long[] sizes, long[] strides) {}

  private static final short GLOBAL = 'c';
  private static final short STACK_GLOBAL = 0x93;
  private static final short INST = 'i';
  private static final short OBJ = 'o';
  private static final short BUILD = 'b';
  private static final short NEWOBJ = 0x81;
  private static final short EXT1 = 0x82;
  private static final short EXT2 = 0x83;
  private static final short EXT4 = 0x84;
  private static final short NEWOBJ_EX = 0x92;

  private static final Map<String, Dtype> STORAGES =
      Map.of(
          "FloatStorage", Dtype.F32,
          "HalfStorage", Dtype.F16,
          "BFloat16Storage", Dtype.BF16,
          "DoubleStorage", Dtype.F64,
          "LongStorage", Dtype.I64,
          "IntStorage", Dtype.I32,
          "ShortStorage", Dtype.I16,
          "CharStorage", Dtype.I8,
          "ByteStorage", Dtype.U8,
          "BoolStorage", Dtype.BOOL);

  /** The marker a storage class resolves to; it only ever appears inside a persistent id. */
  private record StorageType(Dtype dtype) implements IObjectConstructor {
    @Override
    public Object construct(Object[] args) {
      throw new PickleException("a storage class is not callable in a state dict");
    }
  }

  private final String file;

  StateDictUnpickler(String file) {
    this.file = file;
  }

  /** The unpickled object: a state dict is a map from names to {@link TensorRef}s. */
  Object read(InputStream in) throws IOException {
    try {
      return load(in);
    } catch (PickleException | ClassCastException | IllegalArgumentException e) {
      if (e.getCause() instanceof TorchBinFormatException refused) {
        throw refused;
      }
      throw new TorchBinFormatException(file + ": malformed data.pkl: " + e.getMessage());
    } catch (UncheckedRefusal e) {
      throw e.exception;
    }
  }

  @Override
  protected Object dispatch(short key) throws IOException {
    switch (key) {
      case GLOBAL -> {
        String module = PickleUtils.readline(input);
        String name = PickleUtils.readline(input);
        stack.add(resolve(module, name));
        return NO_RETURN_VALUE;
      }
      case STACK_GLOBAL -> {
        String name = String.valueOf(stack.pop());
        String module = String.valueOf(stack.pop());
        stack.add(resolve(module, name));
        return NO_RETURN_VALUE;
      }
      case INST, OBJ, BUILD, NEWOBJ, NEWOBJ_EX, EXT1, EXT2, EXT4 ->
          throw refusal(
              "uses pickle opcode 0x"
                  + Integer.toHexString(key)
                  + ", which builds arbitrary objects; a state dict never does");
      default -> {
        return super.dispatch(key);
      }
    }
  }

  @Override
  protected Object persistentLoad(Object pid) {
    if (!(pid instanceof Object[] t)
        || t.length < 5
        || !"storage".equals(t[0])
        || !(t[1] instanceof StorageType type)) {
      throw refusal("has a persistent id that is not a torch storage");
    }
    return new StorageRef(String.valueOf(t[2]), type.dtype(), ((Number) t[4]).longValue());
  }

  private IObjectConstructor resolve(String module, String name) {
    String global = module + "." + name;
    return switch (global) {
      case "collections.OrderedDict" -> args -> new LinkedHashMap<>();
      case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2" -> this::tensor;
      case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
          args -> args[0];
      default -> {
        Dtype dtype = module.equals("torch") ? STORAGES.get(name) : null;
        if (dtype == null) {
          throw refusal(
              "asks for '"
                  + global
                  + "', which a state dict never needs (allowed: torch._utils' tensor and"
                  + " parameter rebuilders, torch's typed storages, collections.OrderedDict);"
                  + " a pickle can run code, so this file is not loaded");
        }
        yield new StorageType(dtype);
      }
    };
  }

  private Object tensor(Object[] args) {
    if (args.length < 4 || !(args[0] instanceof StorageRef storage)) {
      throw refusal("rebuilds a tensor from something that is not a storage");
    }
    return new TensorRef(storage, ((Number) args[1]).longValue(), longs(args[2]), longs(args[3]));
  }

  private long[] longs(Object tuple) {
    if (!(tuple instanceof Object[] t)) {
      throw refusal("has a tensor size or stride that is not a tuple");
    }
    long[] out = new long[t.length];
    for (int i = 0; i < t.length; i++) {
      out[i] = ((Number) t[i]).longValue();
    }
    return out;
  }

  private UncheckedRefusal refusal(String what) {
    return new UncheckedRefusal(new TorchBinFormatException(file + ": data.pkl " + what));
  }

  /** Carries a refusal out of razorvine's callbacks, which cannot throw checked exceptions. */
  private static final class UncheckedRefusal extends RuntimeException {
    final TorchBinFormatException exception;

    UncheckedRefusal(TorchBinFormatException exception) {
      super(exception.getMessage(), null, false, false);
      this.exception = exception;
    }
  }
}
