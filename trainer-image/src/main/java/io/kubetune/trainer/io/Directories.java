package io.kubetune.trainer.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Whole-folder operations for outputs that must appear complete or not at all. */
public final class Directories {
  private Directories() {}

  /** Deletes dir and everything below it; nothing when it does not exist. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Puts a finished folder in place of target with renames (the old one, if any, is moved aside
   * first and deleted after), so readers see the old folder or the new one, never a mix.
   */
  public static Path replace(Path finished, Path target) throws IOException {
    Path old = target.resolveSibling("." + target.getFileName() + ".old");
    deleteRecursively(old);
    if (Files.exists(target)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE);
    deleteRecursively(old);
    return target;
  }
}
