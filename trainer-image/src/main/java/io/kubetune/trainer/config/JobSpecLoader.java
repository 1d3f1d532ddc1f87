package io.kubetune.trainer.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubetune.api.DatasetSpec;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.trainer.error.KubetuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads {@code job.yaml} into a {@link TrainingJobSpec}: either the training spec itself, or a
 * whole FineTuneJob document (apiVersion kubetune.io/v1alpha1, kind FineTuneJob), whose {@code
 * spec} is taken without its cluster-only keys. Every problem is reported at once, one per line, as
 * {@code file:line:column: field.path: what is wrong} (no line:column for a missing field).
 *
 * <p>Exit codes: {@code CONFIG_ERROR} for an invalid spec, {@code NO_INPUT} for a job file, model
 * folder or dataset file that does not exist.
 */
public final class JobSpecLoader {
  public static final String API_VERSION = "kubetune.io/v1alpha1";
  public static final String KIND = "FineTuneJob";

  /** FineTuneJob spec keys that only the operator reads. */
  public static final Set<String> CLUSTER_ONLY_KEYS = TrainingJobSpec.CLUSTER_ONLY_FIELDS;

  private static final Set<String> DOCUMENT_KEYS =
      Set.of("apiVersion", "kind", "metadata", "spec", "status");

  private final SourceResolver resolver;
  private final ObjectMapper yaml =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // a key written twice is a mistake, not "the last one wins"
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  public JobSpecLoader(SourceResolver resolver) {
    this.resolver = resolver;
  }

  /** Parses, validates, resolves the sources and checks that they exist. */
  public ResolvedJob load(Path file) {
    Parsed parsed = parse(file);
    TrainingJobSpec spec = parsed.spec();
    String p = parsed.prefix();
    Path model = resolve(p + "model.source", spec.model().source());
    if (!Files.isDirectory(model)) {
      throw new KubetuneException(
          TrainerExitCodes.NO_INPUT,
          p + "model.source: no such directory: " + model + " (" + spec.model().source() + ")");
    }
    List<Path> datasets = new ArrayList<>();
    for (int i = 0; i < spec.datasets().size(); i++) {
      DatasetSpec d = spec.datasets().get(i);
      String field = p + "datasets[" + i + "].source";
      Path f = resolve(field, d.source());
      if (!Files.isRegularFile(f)) {
        throw new KubetuneException(
            TrainerExitCodes.NO_INPUT, field + ": no such file: " + f + " (" + d.source() + ")");
      }
      datasets.add(f);
    }
    Optional<Path> output =
        Optional.ofNullable(spec.output()).map(o -> resolve(p + "output.path", o.path()));
    return new ResolvedJob(spec, model, datasets, output);
  }

  /** Parses and validates, without touching the sources. */
  public TrainingJobSpec read(Path file) {
    return parse(file).spec();
  }

  private record Parsed(TrainingJobSpec spec, String prefix) {}

  private Parsed parse(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new KubetuneException(TrainerExitCodes.NO_INPUT, file + ": no such file");
    } catch (IOException e) {
      throw new KubetuneException(TrainerExitCodes.NO_INPUT, file + ": cannot read: " + e);
    }
    JsonNode root;
    YamlLocations locations;
    try {
      root = yaml.readTree(text);
      locations = YamlLocations.of(text);
    } catch (JsonProcessingException e) {
      throw config(file + yamlError(e));
    } catch (IOException e) {
      throw new KubetuneException(TrainerExitCodes.NO_INPUT, file + ": cannot read: " + e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw config(file + ": the file is empty");
    }
    if (!root.isObject()) {
      throw config(file + ": the document must be a mapping");
    }
    List<Problem> problems = new ArrayList<>();
    JsonNode specNode = root;
    String prefix = "";
    String pointer = "";
    if (root.has("kind") || root.has("apiVersion")) {
      prefix = "spec.";
      pointer = "/spec";
      specNode = finetuneJobSpec((ObjectNode) root, problems);
    }
    if (specNode != null) {
      problems.addAll(
          AnnotationValidator.validate(
              specNode, TrainingJobSpec.class, prefix.isEmpty() ? "" : "spec", pointer));
    }
    if (!problems.isEmpty()) {
      throw config(report(file, problems, locations));
    }
    try {
      return new Parsed(yaml.treeToValue(specNode, TrainingJobSpec.class), prefix);
    } catch (JsonMappingException e) {
      // the validator should have caught it; keep Jackson's path so it is still findable
      throw config(file + ": " + prefix + pathOf(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw config(file + ": " + e.getOriginalMessage());
    }
  }

  /** The spec of a FineTuneJob, cluster-only keys removed; null when there is none. */
  private static JsonNode finetuneJobSpec(ObjectNode root, List<Problem> problems) {
    String apiVersion = root.path("apiVersion").asText("");
    String kind = root.path("kind").asText("");
    if (!apiVersion.equals(API_VERSION)) {
      problems.add(
          new Problem(
              "/apiVersion",
              "apiVersion",
              "must be " + API_VERSION + ", got '" + apiVersion + "'",
              false));
    }
    if (!kind.equals(KIND)) {
      problems.add(new Problem("/kind", "kind", "must be " + KIND + ", got '" + kind + "'", false));
    }
    root.fieldNames()
        .forEachRemaining(
            name -> {
              if (!DOCUMENT_KEYS.contains(name)) {
                problems.add(new Problem("/" + name, name, "unknown field", true));
              }
            });
    JsonNode spec = root.get("spec");
    if (spec == null || !spec.isObject()) {
      problems.add(new Problem("", "spec", "is required", false));
      return null;
    }
    ObjectNode training = ((ObjectNode) spec).deepCopy();
    training.remove(CLUSTER_ONLY_KEYS);
    return training;
  }

  private static String report(Path file, List<Problem> problems, YamlLocations locations) {
    record Line(YamlLocations.Location at, String text) {}
    List<Line> lines = new ArrayList<>();
    for (Problem p : problems) {
      Optional<YamlLocations.Location> at =
          p.pointer().isEmpty()
              ? Optional.empty()
              : p.atKey() ? locations.key(p.pointer()) : locations.value(p.pointer());
      lines.add(
          new Line(
              at.orElse(null),
              file + at.map(l -> ":" + l).orElse("") + ": " + p.field() + ": " + p.message()));
    }
    lines.sort(
        Comparator.comparing((Line l) -> l.at() == null ? Integer.MAX_VALUE : l.at().line())
            .thenComparing(l -> l.at() == null ? 0 : l.at().column()));
    return lines.stream().map(Line::text).collect(Collectors.joining("\n"));
  }

  private Path resolve(String field, String uri) {
    try {
      return resolver.resolve(field, uri);
    } catch (IllegalArgumentException e) {
      throw config(e.getMessage());
    }
  }

  /** ":line:col: invalid YAML: problem (context)", from SnakeYAML's marks when it has them. */
  private static String yamlError(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        return ":"
            + (m.getProblemMark().getLine() + 1)
            + ":"
            + (m.getProblemMark().getColumn() + 1)
            + ": invalid YAML: "
            + m.getProblem()
            + (m.getContext() == null ? "" : " (" + m.getContext() + ")");
      }
    }
    String at =
        e.getLocation() == null
            ? ""
            : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
    String message = e.getOriginalMessage();
    int jacksonDetail = message.indexOf(" for `ObjectNode`"); // duplicate keys
    return at
        + ": invalid YAML: "
        + (jacksonDetail > 0 ? message.substring(0, jacksonDetail) : message);
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder s = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        s.append(s.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        s.append('[').append(r.getIndex()).append(']');
      }
    }
    return s.toString();
  }

  private static KubetuneException config(String message) {
    return new KubetuneException(TrainerExitCodes.CONFIG_ERROR, message);
  }
}
