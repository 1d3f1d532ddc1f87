package io.kubetune.trainer.weights;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A whole file mapped into memory with mmap(2), private copy-on-write: tensors can alias it at any
 * offset and size (Java's own mappings stop at 2 GiB each), the page cache backs the pages, and a
 * stray write changes only this process's copy, never the file.
 */
final class MappedFile implements AutoCloseable {
  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_PRIVATE = 2;
  private static final int O_RDONLY = 0;

  static {
    Native.register(MappedFile.class, NativeLibrary.getInstance("c"));
  }

  private static native int open(String path, int flags);

  private static native int close(int fd);

  private static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

  private static native int munmap(long addr, long length);

  private final Path path;
  private final long address;
  private final long size;
  private boolean closed;

  private MappedFile(Path path, long address, long size) {
    this.path = path;
    this.address = address;
    this.size = size;
  }

  static MappedFile map(Path path) throws IOException {
    long size = Files.size(path);
    if (size == 0) {
      return new MappedFile(path, 0, 0);
    }
    int fd = open(path.toString(), O_RDONLY);
    if (fd < 0) {
      throw new IOException(path + ": cannot open (errno " + Native.getLastError() + ")");
    }
    try {
      long address = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      if (address == -1L) {
        throw new IOException(path + ": mmap failed (errno " + Native.getLastError() + ")");
      }
      return new MappedFile(path, address, size);
    } finally {
      close(fd);
    }
  }

  Path path() {
    return path;
  }

  long size() {
    return size;
  }

  long address(long offset) {
    return address + offset;
  }

  /** A view of [offset, offset + length), length at most 2 GiB - 1. */
  ByteBuffer slice(long offset, int length) {
    if (offset < 0 || offset + length > size) {
      throw new IndexOutOfBoundsException(path + ": [" + offset + ", +" + length + ")");
    }
    return new Pointer(address).getByteBuffer(offset, length).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() {
    if (!closed && size > 0) {
      munmap(address, size);
    }
    closed = true;
  }
}
