package io.kubetune.trainer.presets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The presets shipped in the jar: {@code presets/NAME.yaml}, listed in order in {@code
 * presets/presets.txt}. Each file is a whole FineTuneJob document whose first line is a comment
 * that says what it does; {@code kubectl apply -f} and {@code kubetune train -f} both take it.
 */
public final class Presets {
  private static final String DIR = "presets/";

  private Presets() {}

  public static List<Preset> all() {
    List<Preset> presets = new ArrayList<>();
    for (String line : read(DIR + "presets.txt").split("\n")) {
      if (!line.isBlank()) {
        presets.add(load(line.strip()));
      }
    }
    return List.copyOf(presets);
  }

  public static Optional<Preset> named(String name) {
    return all().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  private static Preset load(String name) {
    String yaml = read(DIR + name + ".yaml");
    String first = yaml.lines().findFirst().orElse("");
    if (!first.startsWith("# ")) {
      throw new IllegalStateException(DIR + name + ".yaml: the first line must be '# summary'");
    }
    return new Preset(name, first.substring(2).strip(), yaml);
  }

  private static String read(String resource) {
    try (InputStream in = Presets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
