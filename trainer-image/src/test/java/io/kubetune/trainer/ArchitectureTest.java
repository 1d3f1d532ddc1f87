package io.kubetune.trainer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The trainer's package map, bottom to top (docs/architecture.md draws it). A package may import
 * only packages on lower levels: never one on its own level, never one above. A new package must be
 * placed here before it builds; to let a package use another, put it above that one.
 */
class ArchitectureTest {
  private static final String ROOT = "io.kubetune.trainer";

  static final List<List<String>> LEVELS =
      List.of(
          // foundations: import nothing of ours
          List.of("error", "io", "torch"),
          // safetensors files, mapped and written; tokenizers and chat templates (read with io);
          // c10d collectives over the native layer (JNA); s3:// and hf:// sources fetched to local
          // files
          List.of("weights", "tokenizer", "dist", "sources"),
          // the decoder: config.json + weights -> CausalLm
          List.of("model"),
          // what sits on a model: LoRA adapters; token-by-token generation; the LLaVA image path
          List.of("peft", "generate", "vision"),
          // a model to chat with; HF export; the data pipeline; job.yaml and its presets; the
          // serving
          // engine
          List.of("chat", "export", "data", "config", "presets", "serve", "serve.openai"),
          // the training loop and its components; the HTTP server
          List.of("train", "serve.http"),
          // who watches a run: progress bar, /progress and /metrics, loss curve
          // the generated inputs of the quickstart and the LLaVA demo (tiny models, images)
          // the ZeRO engine (sharded state, layer-by-layer passes over the collectives)
          List.of("status", "quickstart", "zero"),
          // recipes: kubetune train / export / the demos wired from the components
          List.of("run"),
          // the command line
          List.of("cli"));

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(ROOT);

  @Test
  void noPackageImportsOneOnItsLevelOrAbove() {
    List<String> violations = new ArrayList<>();
    for (int level = 0; level < LEVELS.size(); level++) {
      List<String> notBelow =
          LEVELS.subList(level, LEVELS.size()).stream().flatMap(List::stream).toList();
      int at = level;
      for (String pkg : LEVELS.get(level)) {
        String[] forbidden =
            notBelow.stream()
                .filter(p -> !p.equals(pkg))
                .map(p -> ROOT + "." + p)
                .toArray(String[]::new);
        if (forbidden.length == 0) {
          continue;
        }
        EvaluationResult result =
            noClasses()
                .that()
                .resideInAPackage(ROOT + "." + pkg)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(forbidden)
                .evaluate(CLASSES);
        result.getFailureReport().getDetails().stream()
            .map(d -> pkg + " (level " + at + ") imports its level or above: " + d)
            .forEach(violations::add);
      }
    }
    assertThat(violations).as("imports that break ArchitectureTest.LEVELS").isEmpty();
  }

  @Test
  void packagesFormNoCycle() {
    slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void everyPackageIsOnTheMap() {
    Set<String> placed =
        LEVELS.stream().flatMap(List::stream).map(p -> ROOT + "." + p).collect(Collectors.toSet());
    Set<String> packages =
        CLASSES.stream()
            .map(JavaClass::getPackageName)
            .filter(p -> !p.equals(ROOT))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(packages).as("packages missing from LEVELS").isSubsetOf(placed);
    assertThat(placed).as("LEVELS names packages that do not exist").isSubsetOf(packages);
  }
}
