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
import io.kubetune.validation.CustomResourceValidator;
import io.kubetune.validation.Violation;
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
 * whole FineTuneJob document (apiVersion kubetune.io/v1alpha1, kind FineTuneJob). Both are checked
 * by the one validator against the generated CRD, schema and CEL rules, with the API server's
 * messages: a FineTuneJob document exactly as the API server checks it (its cluster-only fields
 * too, although training ignores them), a training spec against the spec's schema without the
 * cluster-only fields and the cluster rules ({@link CustomResourceValidator#trainingSpec()}). Every
 * problem is reported at once, one per line, as {@code file:line:column: message}, in file order
 * (no line:column for a missing field of the document itself); an unknown field gets a
 * did-you-mean.
 *
 * <p>Exit codes: {@code CONFIG_ERROR} for an invalid spec, {@code NO_INPUT} for a job file, model
 * folder or dataset file that does not exist.
 */
public final class JobSpecLoader {
  public static final String API_VERSION = "kubetune.io/v1alpha1";
  public static final String KIND = "FineTuneJob";

  /** FineTuneJob spec keys that only the operator reads. */
  public static final Set<String> CLUSTER_ONLY_KEYS = TrainingJobSpec.CLUSTER_ONLY_FIELDS;

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
      Path f = resolveFile(field, d.source());
      if (!Files.isRegularFile(f)) {
        throw new KubetuneException(
            TrainerExitCodes.NO_INPUT, field + ": no such file: " + f + " (" + d.source() + ")");
      }
      datasets.add(f);
    }
    Optional<Path> output =
        Optional.ofNullable(spec.output()).map(o -> resolve(p + "output.path", o.path()));
    Optional<Path> tower = Optional.empty();
    if (spec.model().visionTower() != null) {
      Path t = resolve(p + "model.visionTower", spec.model().visionTower());
      if (!Files.isDirectory(t)) {
        throw new KubetuneException(
            TrainerExitCodes.NO_INPUT,
            p
                + "model.visionTower: no such directory: "
                + t
                + " ("
                + spec.model().visionTower()
                + ")");
      }
      tower = Optional.of(t);
    }
    List<Path> imageFolders = new ArrayList<>();
    for (int i = 0; i < spec.datasets().size(); i++) {
      String folder = spec.datasets().get(i).imageFolder();
      imageFolders.add(
          folder == null ? null : resolve(p + "datasets[" + i + "].imageFolder", folder));
    }
    return new ResolvedJob(spec, model, datasets, output, tower, imageFolders);
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
    boolean document = root.has("kind") || root.has("apiVersion");
    List<Line> lines = new ArrayList<>();
    JsonNode specNode = root;
    if (document) {
      lines.addAll(kindProblems(file, root, locations));
      if (lines.isEmpty()) {
        violations(file, CustomResourceValidator.fineTuneJob().validate(root), locations, lines);
      }
      specNode = trainingPart(root.get("spec"));
    } else {
      violations(file, CustomResourceValidator.trainingSpec().validate(root), locations, lines);
    }
    if (!lines.isEmpty()) {
      lines.sort(Line.IN_FILE_ORDER);
      throw config(lines.stream().map(Line::text).collect(Collectors.joining("\n")));
    }
    String prefix = document ? "spec." : "";
    try {
      return new Parsed(yaml.treeToValue(specNode, TrainingJobSpec.class), prefix);
    } catch (JsonMappingException e) {
      // the validator should have caught it; keep Jackson's path so it is still findable
      throw config(file + ": " + prefix + pathOf(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw config(file + ": " + e.getOriginalMessage());
    }
  }

  /** One reported problem and where it is in the file (null: not at a place in it). */
  private record Line(YamlLocations.Location at, String text) {
    static final Comparator<Line> IN_FILE_ORDER =
        Comparator.comparing((Line l) -> l.at() == null ? Integer.MAX_VALUE : l.at().line())
            .thenComparing(l -> l.at() == null ? 0 : l.at().column());

    static Line of(Path file, Optional<YamlLocations.Location> at, String message) {
      return new Line(at.orElse(null), file + at.map(l -> ":" + l).orElse("") + ": " + message);
    }
  }

  /** The trainer reads only FineTuneJobs of our API version (the API server has no other). */
  private static List<Line> kindProblems(Path file, JsonNode root, YamlLocations locations) {
    List<Line> lines = new ArrayList<>();
    String apiVersion = root.path("apiVersion").asText("");
    String kind = root.path("kind").asText("");
    if (!apiVersion.equals(API_VERSION)) {
      lines.add(
          Line.of(
              file,
              locations.value("/apiVersion"),
              "apiVersion: must be " + API_VERSION + ", got '" + apiVersion + "'"));
    }
    if (!kind.equals(KIND)) {
      lines.add(
          Line.of(
              file, locations.value("/kind"), "kind: must be " + KIND + ", got '" + kind + "'"));
    }
    return lines;
  }

  private static void violations(
      Path file, List<Violation> violations, YamlLocations locations, List<Line> out) {
    for (Violation v : violations) {
      Optional<YamlLocations.Location> at =
          v.unknownField() ? locations.key(v.pointer()) : nearest(locations, v.pointer());
      out.add(Line.of(file, at, v.withHint()));
    }
  }

  /** Where a value is written; for a missing one, where the object that lacks it is. */
  private static Optional<YamlLocations.Location> nearest(YamlLocations locations, String pointer) {
    for (String p = pointer; !p.isEmpty(); p = p.substring(0, p.lastIndexOf('/'))) {
      Optional<YamlLocations.Location> at = locations.value(p);
      if (at.isPresent()) {
        return at;
      }
    }
    return Optional.empty();
  }

  /** The training part of a FineTuneJob's spec: without the keys only the operator reads. */
  private static JsonNode trainingPart(JsonNode spec) {
    if (spec == null || !spec.isObject()) {
      return spec;
    }
    ObjectNode training = ((ObjectNode) spec).deepCopy();
    training.remove(CLUSTER_ONLY_KEYS);
    return training;
  }

  private Path resolve(String field, String uri) {
    try {
      return resolver.resolve(field, uri);
    } catch (IllegalArgumentException e) {
      throw config(e.getMessage());
    }
  }

  private Path resolveFile(String field, String uri) {
    try {
      return resolver.resolveFile(field, uri);
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
