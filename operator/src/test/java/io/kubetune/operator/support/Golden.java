package io.kubetune.operator.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.ModelServe;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Golden YAML files under src/test/resources/golden/. Run the tests with
 * -Dkubetune.updateGolden=true to rewrite them, then review the diff before committing.
 */
public final class Golden {
  private static final Path SOURCE =
      Path.of(System.getProperty("kubetune.repoRoot", "..")).resolve("operator/src/test/resources");

  private Golden() {}

  public static String read(String resource) {
    try (InputStream in = Golden.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads every document of a multi-document YAML resource, as the kinds it names. */
  public static List<HasMetadata> objects(String resource) {
    String text = read(resource);
    assertThat(text).as(resource).isNotNull();
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : text.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        continue;
      }
      String kind = Serialization.unmarshal(doc, GenericKubernetesResource.class).getKind();
      Class<? extends HasMetadata> type =
          switch (kind) {
            case "FineTuneJob" -> FineTuneJob.class;
            case "ModelServe" -> ModelServe.class;
            default -> GenericKubernetesResource.class;
          };
      objects.add(Serialization.unmarshal(doc, type));
    }
    return objects;
  }

  public static String yaml(List<? extends HasMetadata> objects) {
    return objects.stream().map(Serialization::asYaml).collect(Collectors.joining());
  }

  /** Compares actual with the golden file, or rewrites it under -Dkubetune.updateGolden=true. */
  public static void assertMatches(String resource, String actual) {
    if (Boolean.getBoolean("kubetune.updateGolden")) {
      try {
        Path file = SOURCE.resolve(resource);
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    String expected = read(resource);
    assertThat(expected)
        .as("%s is missing: run with -Dkubetune.updateGolden=true and review it", resource)
        .isNotNull();
    assertThat(actual)
        .as("%s differs: run with -Dkubetune.updateGolden=true and review the diff", resource)
        .isEqualTo(expected);
  }
}
