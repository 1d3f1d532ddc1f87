package io.kubetune.trainer.sources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A checksum a store publishes for a file, and how to compute it: S3's ETag of a single-part upload
 * (the MD5 of the content), the HuggingFace Hub's ETag of an LFS file (its SHA-256) or of a git
 * file (the git blob id: SHA-1 of "blob SIZE\0" and the content).
 *
 * @param algorithm "MD5", "SHA-256" or "git-blob-sha1"
 * @param hex the expected value, lower case
 */
public record Digest(String algorithm, String hex) {
  public static final String GIT_BLOB = "git-blob-sha1";

  public static Digest md5(String hex) {
    return new Digest("MD5", hex.toLowerCase(Locale.ROOT));
  }

  public static Digest sha256(String hex) {
    return new Digest("SHA-256", hex.toLowerCase(Locale.ROOT));
  }

  public static Digest gitBlob(String hex) {
    return new Digest(GIT_BLOB, hex.toLowerCase(Locale.ROOT));
  }

  /** The digest of the file's content, as this algorithm defines it. */
  public String of(Path file) throws IOException {
    MessageDigest md = messageDigest(GIT_BLOB.equals(algorithm) ? "SHA-1" : algorithm);
    if (GIT_BLOB.equals(algorithm)) {
      md.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  public boolean matches(Path file) throws IOException {
    return hex.equals(of(file));
  }

  private static MessageDigest messageDigest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " is part of every JDK", e);
    }
  }
}
