package io.kubetune.trainer.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  @TempDir Path dir;

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void roundTripsEveryDtypeItWrites() throws IOException {
    NDArray f32 = manager.create(new float[] {1.5f, -2f, 3.25f, 4f}, new Shape(2, 2));
    NDArray f16 = f32.toType(DataType.FLOAT16, false);
    NDArray bf16 = Aten.to(f32, Dtype.BF16);
    NDArray i64 = manager.create(new long[] {7, -9, 1L << 40});
    Path file = dir.resolve("t.safetensors");
    SafetensorsWriter.write(
        file,
        List.of(
            TensorSource.of("a.f32", f32),
            TensorSource.of("b.f16", f16),
            TensorSource.of("c.bf16", bf16),
            TensorSource.of("d.i64", i64)),
        Map.of("format", "pt"));
    try (SafetensorsFile read = SafetensorsFile.open(file)) {
      assertThat(read.metadata()).containsEntry("format", "pt");
      assertThat(read.tensors().keySet()).containsExactly("a.f32", "b.f16", "c.bf16", "d.i64");
      assertThat(read.load(manager, "a.f32").toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 4f);
      assertThat(read.load(manager, "b.f16").toType(DataType.FLOAT32, false).toFloatArray())
          .containsExactly(1.5f, -2f, 3.25f, 4f);
      NDArray b = read.load(manager, "c.bf16");
      assertThat(Aten.dtype(b)).isEqualTo(Dtype.BF16);
      assertThat(Aten.to(b, Dtype.F32).toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 4f);
      assertThat(read.load(manager, "d.i64").toLongArray()).containsExactly(7, -9, 1L << 40);
      assertThat(read.tensors().get("c.bf16").begin() % 8).isZero();
    }
  }

  /** Tensors larger than 2 GiB and offsets past 2 GiB: Java's own mappings stop at 2 GiB. */
  @Test
  void readsATensorOver2GiBAndOneStoredPastTheBoundary() throws IOException {
    long big = (1L << 31) + 24;
    Path file = dir.resolve("big.safetensors");
    NDArray small = manager.create(new float[] {0.25f, 0.5f});
    NDArray after = manager.create(new float[] {11f, 12f, 13f});
    SafetensorsWriter.write(
        file,
        List.of(
            TensorSource.of("small", small),
            new TensorSource("big", Dtype.I8, new Shape(big), () -> patterned(big)),
            TensorSource.of("after", after)),
        Map.of());
    assertThat(Files.size(file)).isGreaterThan(big);
    try (SafetensorsFile read = SafetensorsFile.open(file)) {
      assertThat(read.tensors().get("after").begin()).isGreaterThan(1L << 31);
      NDArray b = read.load(manager, "big");
      assertThat(b.getShape().get(0)).isEqualTo(big);
      for (long i : new long[] {0, 1, (1L << 31) - 1, 1L << 31, big - 1}) {
        assertThat(Aten.narrow(b, 0, i, 1).toByteArray()[0]).as("byte %d", i).isEqualTo(marker(i));
      }
      assertThat(Aten.narrow(b, 0, 12345, 1).toByteArray()[0]).isEqualTo((byte) 1);
      assertThat(read.load(manager, "after").toFloatArray()).containsExactly(11f, 12f, 13f);
      assertThat(read.load(manager, "small").toFloatArray()).containsExactly(0.25f, 0.5f);
    }
  }

  private NDArray patterned(long size) {
    NDArray t = manager.ones(new Shape(size), DataType.INT8);
    for (long i : new long[] {0, 1, (1L << 31) - 1, 1L << 31, size - 1}) {
      Aten.copyInto(
          Aten.narrow(t, 0, i, 1),
          manager.create(new byte[] {marker(i)}, new Shape(1)).toType(DataType.INT8, false));
    }
    return t;
  }

  private static byte marker(long i) {
    return (byte) (i % 100 + 2);
  }

  @Test
  void aTruncatedFileNamesTheTensorAndTheMissingBytes() throws IOException {
    Path file = dir.resolve("t.safetensors");
    SafetensorsWriter.write(
        file, List.of(TensorSource.of("w", manager.ones(new Shape(64)))), Map.of());
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() - 10);
    }
    assertThatThrownBy(() -> SafetensorsFile.open(file))
        .isInstanceOf(SafetensorsFormatException.class)
        .hasMessageContaining("tensor 'w'")
        .hasMessageContaining("truncated file")
        .hasMessageContaining("[0, 256)")
        .hasMessageContaining("246 bytes");
  }

  @Test
  void aShortFileIsNotSafetensors() throws IOException {
    Path file = Files.write(dir.resolve("x.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafetensorsFile.open(file))
        .hasMessageContaining("not a safetensors file: 3 bytes");
  }

  @Test
  void aHeaderLengthBeyondTheFileIsRefused() throws IOException {
    Path file = rawFile(1000, "{}");
    assertThatThrownBy(() -> SafetensorsFile.open(file))
        .hasMessageContaining("bad header length 1000");
  }

  @Test
  void aHeaderThatIsNotJsonIsRefused() throws IOException {
    Path file = rawFile(-1, "{\"w\": {\"dtype\": ");
    assertThatThrownBy(() -> SafetensorsFile.open(file)).hasMessageContaining("not valid JSON");
  }

  @Test
  void sizeThatDisagreesWithShapeAndDtypeIsRefused() throws IOException {
    Path file =
        rawFile(
            -1, "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}", 20);
    assertThatThrownBy(() -> SafetensorsFile.open(file))
        .hasMessageContaining(
            "tensor 'w': shape (2, 3) of F32 needs 24 bytes but data_offsets span 20");
  }

  @Test
  void anUnknownDtypeIsNamed() throws IOException {
    Path file =
        rawFile(
            -1, "{\"w\": {\"dtype\": \"F8_E4M3\", \"shape\": [4], \"data_offsets\": [0, 4]}}", 4);
    assertThatThrownBy(() -> SafetensorsFile.open(file))
        .hasMessageContaining("tensor 'w': unsupported dtype 'F8_E4M3'");
  }

  @Test
  void overlappingTensorsAreRefused() throws IOException {
    Path file =
        rawFile(
            -1,
            "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
            12);
    assertThatThrownBy(() -> SafetensorsFile.open(file)).hasMessageContaining("overlap");
  }

  @Test
  void shardsAndIndexRoundTrip() throws IOException {
    List<TensorSource> tensors =
        List.of(
            TensorSource.of("a", manager.ones(new Shape(100))),
            TensorSource.of("b", manager.zeros(new Shape(100))),
            TensorSource.of("c", manager.ones(new Shape(10))));
    List<Path> files = ShardedSafetensorsWriter.write(dir, tensors, Map.of(), 500);
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "model.safetensors.index.json");
    try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
      assertThat(ckpt.tensors().keySet()).containsExactly("a", "b", "c");
      assertThat(ckpt.load(manager, "c").sum().getFloat()).isEqualTo(10f);
    }
  }

  /** A file with the given header length field (or the true one when -1) and payload size. */
  private Path rawFile(long headerLength, String header, int payload) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + json.length + payload).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(headerLength < 0 ? json.length : headerLength).put(json);
    return Files.write(dir.resolve("raw.safetensors"), buf.array());
  }

  private Path rawFile(long headerLength, String header) throws IOException {
    return rawFile(headerLength, header, 0);
  }
}
