package io.kubetune.trainer.sources;

import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.error.KubetuneException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Puts one remote file at {@code target}, complete and checked, or not at all: it downloads into
 * {@code target.incomplete}, continues such a file where an earlier attempt stopped (the source
 * opens the rest from an offset), checks the size and, when the store publishes one, the digest,
 * and only then renames it into place. A lock file keeps two processes (two ranks on one node, two
 * jobs on one claim) from downloading the same file at once; the second finds it complete. (The
 * lock file stays: deleting it would let a third process lock a new file while the second still
 * holds the old one.)
 */
public final class ResumableDownload {
  /** The remote file from an offset on. */
  @FunctionalInterface
  public interface Source {
    /**
     * @param offset the first byte wanted (0: all of it)
     * @throws ChangedException when the remote file is no longer the one the partial file came from
     *     (its ETag changed): the download starts over
     */
    InputStream open(long offset) throws IOException;
  }

  /** The remote file changed since the partial download began. */
  public static final class ChangedException extends IOException {
    public ChangedException(String message) {
      super(message);
    }
  }

  private ResumableDownload() {}

  /**
   * @param what the source URI or file, for messages
   * @param size the remote file's size
   * @param digest its published digest, when there is one
   * @return the bytes downloaded now (0 when target was already there)
   */
  public static long fetch(
      String what, Path target, long size, Optional<Digest> digest, Source source)
      throws IOException {
    Files.createDirectories(target.getParent());
    Path partial = target.resolveSibling(target.getFileName() + ".incomplete");
    Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
    try (FileChannel lockChannel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = lockChannel.lock()) {
      if (Files.isRegularFile(target) && Files.size(target) == size) {
        return 0;
      }
      long downloaded;
      try {
        downloaded = copy(partial, size, source);
      } catch (ChangedException e) {
        Files.deleteIfExists(partial);
        downloaded = copy(partial, size, source);
      }
      long got = Files.size(partial);
      if (got != size) {
        throw new KubetuneException(
            TrainerExitCodes.IO_ERROR,
            what + ": downloaded " + got + " bytes, the store says " + size + "; retrying resumes");
      }
      if (digest.isPresent() && !digest.get().matches(partial)) {
        Files.delete(partial);
        throw new KubetuneException(
            TrainerExitCodes.IO_ERROR,
            what
                + ": the downloaded content does not match its "
                + digest.get().algorithm()
                + " "
                + digest.get().hex()
                + "; the partial file was removed, a retry downloads it again");
      }
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return downloaded;
    }
  }

  /** Appends the rest of the file to partial; returns the bytes written now. */
  private static long copy(Path partial, long size, Source source) throws IOException {
    long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
    if (have > size) {
      Files.delete(partial);
      have = 0;
    }
    if (have == size) {
      return 0;
    }
    long written = 0;
    try (InputStream in = source.open(have);
        OutputStream out =
            Files.newOutputStream(
                partial,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
        written += n;
      }
    }
    return written;
  }
}
