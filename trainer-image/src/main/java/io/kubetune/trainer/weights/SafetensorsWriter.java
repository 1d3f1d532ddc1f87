package io.kubetune.trainer.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.jna.Pointer;
import io.kubetune.trainer.torch.Aten;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files tensor by tensor: the header (computed from shapes) first, then each
 * tensor's bytes straight from native memory. The file appears atomically (temp file + rename).
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK = 1 << 30;

  private SafetensorsWriter() {}

  public static void write(Path file, List<TensorSource> tensors, Map<String, String> metadata)
      throws IOException {
    byte[] header = header(tensors, metadata);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      length.putLong(header.length).flip();
      writeFully(out, length);
      writeFully(out, ByteBuffer.wrap(header));
      for (TensorSource t : tensors) {
        writeTensor(out, t);
      }
      out.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static byte[] header(List<TensorSource> tensors, Map<String, String> metadata) {
    ObjectNode root = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (TensorSource t : tensors) {
      ObjectNode node = root.putObject(t.name());
      node.put("dtype", t.dtype().safetensorsName());
      var shape = node.putArray("shape");
      for (long d : t.shape().getShape()) {
        shape.add(d);
      }
      node.putArray("data_offsets").add(offset).add(offset + t.byteSize());
      offset += t.byteSize();
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    // pad with spaces to a multiple of 8 so that every tensor starts aligned, as HF does
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = new byte[padded];
    System.arraycopy(json, 0, out, 0, json.length);
    java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  private static void writeTensor(FileChannel out, TensorSource source) throws IOException {
    try (NDScope scope = new NDScope()) {
      NDArray values = source.values().get();
      if (!values.getShape().equals(source.shape()) || Aten.dtype(values) != source.dtype()) {
        throw new IllegalStateException(
            "tensor '"
                + source.name()
                + "' promised "
                + source.dtype()
                + " "
                + source.shape()
                + " but produced "
                + Aten.dtype(values)
                + " "
                + values.getShape());
      }
      NDArray contiguous = Aten.contiguous(values);
      long address = Aten.dataAddress(contiguous);
      long remaining = source.byteSize();
      long offset = 0;
      while (remaining > 0) {
        int n = (int) Math.min(CHUNK, remaining);
        writeFully(out, new Pointer(address).getByteBuffer(offset, n));
        offset += n;
        remaining -= n;
      }
      scope.suppressNotUsedWarning();
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }
}
