package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header, then the
 * tensor bytes. Tensors alias the mapping (no copy, any size), so the file stays open until close.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** A header larger than this is taken for corruption, as the reference implementation does. */
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MappedFile mapped;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      MappedFile mapped, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.mapped = mapped;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  public static SafetensorsFile open(Path path) throws IOException {
    MappedFile mapped = MappedFile.map(path);
    try {
      return parse(mapped);
    } catch (IOException | RuntimeException e) {
      mapped.close();
      throw e;
    }
  }

  public Path path() {
    return mapped.path();
  }

  /** Tensors in file order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** The tensor's bytes as a tensor that aliases the file mapping; no copy is made. */
  public NDArray load(NDManager manager, String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new IllegalArgumentException(path() + ": no tensor named '" + name + "'");
    }
    if (info.byteSize() == 0) {
      return Aten.empty(manager, info.shape(), info.dtype());
    }
    return Aten.fromAddress(manager, mapped.address(info.begin()), info.shape(), info.dtype());
  }

  @Override
  public void close() {
    mapped.close();
  }

  private static SafetensorsFile parse(MappedFile mapped) throws IOException {
    Path path = mapped.path();
    if (mapped.size() < 8) {
      throw new SafetensorsFormatException(
          path + ": not a safetensors file: " + mapped.size() + " bytes, shorter than the header");
    }
    long headerLength = mapped.slice(0, 8).getLong();
    if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > mapped.size()) {
      throw new SafetensorsFormatException(
          path
              + ": bad header length "
              + headerLength
              + " for a file of "
              + mapped.size()
              + " bytes (truncated or not a safetensors file)");
    }
    ByteBuffer headerBytes = mapped.slice(8, (int) headerLength);
    byte[] raw = new byte[(int) headerLength];
    headerBytes.get(raw);
    JsonNode header;
    try {
      header = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new SafetensorsFormatException(
          path + ": header is not valid JSON: " + e.getOriginalMessage());
    }
    if (header == null || !header.isObject()) {
      throw new SafetensorsFormatException(path + ": header is not a JSON object");
    }
    long dataStart = 8 + headerLength;
    long dataSize = mapped.size() - dataStart;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> infos = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue()
            .fields()
            .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
      } else {
        infos.add(tensorInfo(path, e.getKey(), e.getValue(), dataStart, dataSize));
      }
    }
    checkNoOverlap(path, infos);
    Map<String, TensorInfo> byName = new LinkedHashMap<>();
    infos.stream()
        .sorted(Comparator.comparingLong(TensorInfo::begin))
        .forEach(i -> byName.put(i.name(), i));
    return new SafetensorsFile(
        mapped, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(metadata));
  }

  private static TensorInfo tensorInfo(
      Path path, String name, JsonNode node, long dataStart, long dataSize)
      throws SafetensorsFormatException {
    String where = path + ": tensor '" + name + "'";
    JsonNode dtypeNode = node.get("dtype");
    JsonNode shapeNode = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtypeNode == null || shapeNode == null || offsets == null) {
      throw new SafetensorsFormatException(where + ": needs dtype, shape and data_offsets");
    }
    Dtype dtype =
        Dtype.fromSafetensors(dtypeNode.asText())
            .orElseThrow(
                () ->
                    new SafetensorsFormatException(
                        where + ": unsupported dtype '" + dtypeNode.asText() + "'"));
    if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw new SafetensorsFormatException(where + ": malformed shape or data_offsets");
    }
    long[] dims = new long[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shapeNode.get(i).asLong(-1);
      if (dims[i] < 0) {
        throw new SafetensorsFormatException(where + ": negative or non-integer dimension");
      }
      elements = Math.multiplyExact(elements, dims[i]);
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin) {
      throw new SafetensorsFormatException(
          where + ": bad data_offsets [" + begin + ", " + end + ")");
    }
    if (end > dataSize) {
      throw new SafetensorsFormatException(
          where
              + ": truncated file: the tensor needs bytes ["
              + begin
              + ", "
              + end
              + ") of the data section, which has "
              + dataSize
              + " bytes");
    }
    long expected = Math.multiplyExact(elements, dtype.byteSize());
    if (end - begin != expected) {
      throw new SafetensorsFormatException(
          where
              + ": shape "
              + new Shape(dims)
              + " of "
              + dtype.safetensorsName()
              + " needs "
              + expected
              + " bytes but data_offsets span "
              + (end - begin));
    }
    return new TensorInfo(name, dtype, new Shape(dims), dataStart + begin, dataStart + end);
  }

  private static void checkNoOverlap(Path path, List<TensorInfo> infos)
      throws SafetensorsFormatException {
    List<TensorInfo> sorted =
        infos.stream().sorted(Comparator.comparingLong(TensorInfo::begin)).toList();
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).begin() < sorted.get(i - 1).end()) {
        throw new SafetensorsFormatException(
            path
                + ": tensors '"
                + sorted.get(i - 1).name()
                + "' and '"
                + sorted.get(i).name()
                + "' overlap");
      }
    }
  }
}
