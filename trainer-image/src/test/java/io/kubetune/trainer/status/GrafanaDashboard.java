package io.kubetune.trainer.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names the chart's Grafana dashboard queries, by exporter: each row's title ends with
 * its exporter in parentheses, "(trainer)", "(server)" or "(operator)", and the panels below it
 * query that exporter's metrics. The operator module's test has its own copy of this reader.
 */
final class GrafanaDashboard {
  static final Path FILE =
      Path.of(System.getProperty("kubetune.repoRoot", ".."))
          .resolve("deploy/helm/kubetune/files/grafana-dashboard.json");

  private static final Pattern EXPORTER = Pattern.compile("\\((trainer|server|operator)\\)$");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset");

  private GrafanaDashboard() {}

  /** Exporter -> the metric names its rows' panels query. */
  static Map<String, Set<String>> metricsByExporter() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(FILE.toFile());
    Map<String, Set<String>> out = new TreeMap<>();
    String exporter = null;
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        Matcher m = EXPORTER.matcher(panel.path("title").asText());
        if (!m.find()) {
          throw new AssertionError("row without an exporter: " + panel.path("title"));
        }
        exporter = m.group(1);
        continue;
      }
      if (exporter == null) {
        throw new AssertionError("panel above the first row: " + panel.path("title"));
      }
      for (JsonNode target : panel.path("targets")) {
        out.computeIfAbsent(exporter, e -> new TreeSet<>())
            .addAll(metricNames(target.path("expr").asText()));
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      String query = variable.path("definition").asText();
      if (query.startsWith("label_values(")) {
        out.computeIfAbsent("operator", e -> new TreeSet<>())
            .addAll(metricNames(query.substring("label_values(".length(), query.lastIndexOf(','))));
      }
    }
    return out;
  }

  /**
   * The metric names in a PromQL expression: the identifiers left once strings, label matchers
   * ({...}), ranges ([5m]), grouping clauses (by (...)) and function calls' names are removed.
   */
  static Set<String> metricNames(String promQl) {
    String e =
        promQl
            .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(e);
    while (m.find()) {
      String id = m.group();
      boolean call = e.substring(m.end()).stripLeading().startsWith("(");
      boolean number = m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1));
      if (!call && !number && !KEYWORDS.contains(id)) {
        names.add(id);
      }
    }
    return names;
  }

  /** The metric names in a Prometheus text exposition (a /metrics scrape). */
  static Set<String> exported(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      Matcher m = IDENTIFIER.matcher(line);
      if (!line.startsWith("#") && m.lookingAt()) {
        names.add(m.group());
      }
    }
    return names;
  }
}
