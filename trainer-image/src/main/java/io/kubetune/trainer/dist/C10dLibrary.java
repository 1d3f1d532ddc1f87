package io.kubetune.trainer.dist;

import ai.djl.engine.Engine;
import com.sun.jna.NativeLibrary;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds and loads libkubetune_c10d.so, the native collective layer, into the process that DJL's
 * libtorch is already in (the library binds to that libtorch by soname: one libtorch per process).
 * Only distributed training loads it.
 *
 * <p>Where it is looked for, in order: the system property {@code kubetune.c10d.library}, the
 * environment variable {@code KUBETUNE_C10D_LIBRARY}, then {@code native/libkubetune_c10d.so}
 * beside the trainer's jar (the container image and {@code trainer-image/target/}).
 */
public final class C10dLibrary {
  public static final String FILE_NAME = "libkubetune_c10d.so";
  private static final Object LOCK = new Object();
  private static Path loaded;

  private C10dLibrary() {}

  /** Loads the library once per process; returns where it came from. */
  public static Path load() {
    return load(System.getenv());
  }

  static Path load(Map<String, String> env) {
    synchronized (LOCK) {
      if (loaded == null) {
        Path file = locate(env).orElseThrow(() -> new C10dUnavailableException(missing(env)));
        Engine.getEngine("PyTorch"); // libtorch first: the library resolves against it
        C10dNative.register(NativeLibrary.getInstance(file.toString()));
        loaded = file;
      }
      return loaded;
    }
  }

  /** The backends the loaded library has ("gloo", or "gloo,nccl"). */
  public static String backends() {
    load();
    return C10dNative.ktd_backends();
  }

  static Optional<Path> locate(Map<String, String> env) {
    return candidates(env).stream().filter(Files::isRegularFile).findFirst();
  }

  private static List<Path> candidates(Map<String, String> env) {
    List<Path> out = new ArrayList<>();
    String property = System.getProperty("kubetune.c10d.library");
    if (property != null && !property.isBlank()) {
      out.add(Path.of(property));
    }
    String variable = env.get("KUBETUNE_C10D_LIBRARY");
    if (variable != null && !variable.isBlank()) {
      out.add(Path.of(variable));
    }
    jarDirectory().ifPresent(dir -> out.add(dir.resolve("native").resolve(FILE_NAME)));
    return out;
  }

  private static Optional<Path> jarDirectory() {
    try {
      Path code =
          Path.of(C10dLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // the jar (target/kubetune-trainer.jar) or, in tests, target/classes
      return Optional.ofNullable(code.getParent());
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      return Optional.empty();
    }
  }

  private static String missing(Map<String, String> env) {
    return "distributed training needs "
        + FILE_NAME
        + " (looked at: "
        + String.join(", ", candidates(env).stream().map(Path::toString).toList())
        + "); build it with trainer-image/src/main/native/build.sh, or point"
        + " KUBETUNE_C10D_LIBRARY at it";
  }
}
