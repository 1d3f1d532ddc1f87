package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.weights.StateDictUnpickler.StorageRef;
import io.kubetune.trainer.weights.StateDictUnpickler.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * One {@code torch.save}d state dict ({@code pytorch_model.bin}): a zip with {@code
 * <archive>/data.pkl} (the pickle, read by {@link StateDictUnpickler}) and one uncompressed record
 * {@code <archive>/data/<key>} per storage. The whole file is memory-mapped and every tensor
 * aliases its storage's bytes in place (torch stores them uncompressed, 64-byte aligned), so a .bin
 * loads without a copy, like safetensors. Views (offsets, strides) are checked to stay inside their
 * storage.
 */
final class TorchBinFile implements AutoCloseable {
  private final MappedFile mapped;
  private final Map<String, TensorRef> refs;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, Long> storageOffsets;

  private TorchBinFile(
      MappedFile mapped,
      Map<String, TensorRef> refs,
      Map<String, TensorInfo> tensors,
      Map<String, Long> storageOffsets) {
    this.mapped = mapped;
    this.refs = refs;
    this.tensors = tensors;
    this.storageOffsets = storageOffsets;
  }

  static TorchBinFile open(Path path) throws IOException {
    Map<String, TensorRef> refs;
    Map<String, Long> offsets = new HashMap<>();
    try (ZipFile zip = openZip(path)) {
      ZipArchiveEntry pkl = dataPkl(zip, path);
      String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
      ZipArchiveEntry order = zip.getEntry(prefix + "byteorder");
      if (order != null) {
        try (InputStream in = zip.getInputStream(order)) {
          String byteOrder = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
          if (!byteOrder.equals("little")) {
            throw new TorchBinFormatException(path + ": byteorder is '" + byteOrder + "'");
          }
        }
      }
      Object root;
      try (InputStream in = zip.getInputStream(pkl)) {
        root = new StateDictUnpickler(path.toString()).read(in);
      }
      refs = stateDict(root, path);
      for (TensorRef ref : refs.values()) {
        String key = ref.storage().key();
        if (!offsets.containsKey(key)) {
          offsets.put(key, storageOffset(zip, prefix + "data/" + key, ref.storage(), path));
        }
      }
    }
    Map<String, TensorInfo> infos = new LinkedHashMap<>();
    for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
      infos.put(e.getKey(), info(e.getKey(), e.getValue(), offsets, path));
    }
    MappedFile mapped = MappedFile.map(path);
    return new TorchBinFile(
        mapped,
        Collections.unmodifiableMap(refs),
        Collections.unmodifiableMap(infos),
        Map.copyOf(offsets));
  }

  Path path() {
    return mapped.path();
  }

  Map<String, TensorInfo> tensors() {
    return tensors;
  }

  NDArray load(NDManager manager, String name) {
    TensorRef ref = refs.get(name);
    if (ref == null) {
      throw new IllegalArgumentException(path() + ": no tensor named '" + name + "'");
    }
    TensorInfo info = tensors.get(name);
    if (info.shape().size() == 0) {
      return Aten.empty(manager, info.shape(), info.dtype());
    }
    long address = mapped.address(info.begin());
    return isContiguous(ref)
        ? Aten.fromAddress(manager, address, info.shape(), info.dtype())
        : Aten.fromAddress(manager, address, info.shape(), ref.strides(), info.dtype());
  }

  @Override
  public void close() {
    mapped.close();
  }

  private static ZipFile openZip(Path path) throws IOException {
    try {
      return ZipFile.builder().setPath(path).get();
    } catch (IOException e) {
      throw new TorchBinFormatException(
          path
              + ": not a zip-format PyTorch checkpoint ("
              + e.getMessage()
              + "); the legacy format of torch < 1.6 is not read: re-save it with a newer torch"
              + " or as safetensors");
    }
  }

  private static ZipArchiveEntry dataPkl(ZipFile zip, Path path) throws TorchBinFormatException {
    ZipArchiveEntry found = null;
    for (ZipArchiveEntry e : Collections.list(zip.getEntries())) {
      String name = e.getName();
      if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
        if (found != null) {
          throw new TorchBinFormatException(path + ": more than one data.pkl");
        }
        found = e;
      }
    }
    if (found == null) {
      throw new TorchBinFormatException(path + ": a zip without <archive>/data.pkl");
    }
    return found;
  }

  private static Map<String, TensorRef> stateDict(Object root, Path path)
      throws TorchBinFormatException {
    if (!(root instanceof Map<?, ?> map)) {
      throw new TorchBinFormatException(
          path + ": holds a " + root.getClass().getSimpleName() + ", not a state dict");
    }
    // OrderedDict keeps its order; a plain dict comes back unordered: sort it by name
    Map<String, TensorRef> out =
        map instanceof LinkedHashMap ? new LinkedHashMap<>() : new TreeMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef ref)) {
        throw new TorchBinFormatException(
            path + ": entry '" + e.getKey() + "' is not a tensor (only flat state dicts are read)");
      }
      out.put(name, ref);
    }
    return out;
  }

  private static long storageOffset(ZipFile zip, String entry, StorageRef storage, Path path)
      throws TorchBinFormatException {
    ZipArchiveEntry e = zip.getEntry(entry);
    if (e == null) {
      throw new TorchBinFormatException(path + ": storage record " + entry + " is missing");
    }
    if (e.getMethod() != ZipEntry.STORED) {
      throw new TorchBinFormatException(path + ": storage record " + entry + " is compressed");
    }
    long need = Math.multiplyExact(storage.numel(), storage.dtype().byteSize());
    if (e.getSize() < need) {
      throw new TorchBinFormatException(
          path + ": storage " + entry + " has " + e.getSize() + " bytes, its tensors need " + need);
    }
    return e.getDataOffset();
  }

  private static TensorInfo info(String name, TensorRef ref, Map<String, Long> offsets, Path path)
      throws TorchBinFormatException {
    long[] sizes = ref.sizes();
    long[] strides = ref.strides();
    if (sizes.length != strides.length || ref.offset() < 0) {
      throw new TorchBinFormatException(path + ": tensor '" + name + "' has a bad view");
    }
    long last = ref.offset(); // the largest element index the view reaches
    boolean empty = false;
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 0 || strides[i] < 0) {
        throw new TorchBinFormatException(path + ": tensor '" + name + "' has a bad view");
      }
      empty |= sizes[i] == 0;
      last += (sizes[i] - 1) * strides[i];
    }
    if (!empty && last >= ref.storage().numel()) {
      throw new TorchBinFormatException(
          path
              + ": tensor '"
              + name
              + "' reaches element "
              + last
              + " of a storage with "
              + ref.storage().numel());
    }
    int esz = ref.storage().dtype().byteSize();
    long begin = offsets.get(ref.storage().key()) + ref.offset() * esz;
    long end = empty ? begin : offsets.get(ref.storage().key()) + (last + 1) * esz;
    return new TensorInfo(name, ref.storage().dtype(), new Shape(sizes), begin, end);
  }

  private static boolean isContiguous(TensorRef ref) {
    long expected = 1;
    for (int i = ref.sizes().length - 1; i >= 0; i--) {
      if (ref.sizes()[i] != 1 && ref.strides()[i] != expected) {
        return false;
      }
      expected *= ref.sizes()[i];
    }
    return true;
  }
}
