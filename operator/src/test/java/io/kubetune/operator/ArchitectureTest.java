package io.kubetune.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.PackageMatcher;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator's package map, bottom to top (docs/architecture.md draws it). A package may import
 * only packages on lower levels. A feature ({@code finetune..}, {@code serve..}) is one entry with
 * its subpackages: its reconciler names its dependents in {@code @Workflow} and the dependents call
 * the feature's pure builders, so only the reconciler may import the subpackages.
 */
class ArchitectureTest {
  private static final String OP = "io.kubetune.operator";

  static final List<List<String>> LEVELS =
      List.of(
          // the training job spec shared with the trainer (module operator/api)
          List.of("io.kubetune.api"),
          // the CRD's schema and CEL rules applied to a spec, shared with the trainer
          // (module operator/validation)
          List.of("io.kubetune.validation"),
          // what the API server's refusals mean (a refused owned object, a terminating namespace)
          List.of(OP + ".errors"),
          // the custom resource types; settings; labels, events and conditions
          List.of(OP, OP + ".config", OP + ".crd", OP + ".events", OP + ".status"),
          // what both features build on: pod settings, per-job metrics, owned objects taken back,
          // the operator's liveness
          List.of(OP + ".metrics", OP + ".pods", OP + ".owned", OP + ".health"),
          // the two features: FineTuneJob and ModelServe, each with its dependents
          List.of(OP + ".finetune..", OP + ".serve.."));

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.kubetune");

  @Test
  void noPackageImportsOneOnItsLevelOrAbove() {
    List<String> violations = new ArrayList<>();
    for (int level = 0; level < LEVELS.size(); level++) {
      List<String> notBelow =
          LEVELS.subList(level, LEVELS.size()).stream().flatMap(List::stream).toList();
      int at = level;
      for (String pkg : LEVELS.get(level)) {
        String[] forbidden = notBelow.stream().filter(p -> !p.equals(pkg)).toArray(String[]::new);
        if (forbidden.length == 0) {
          continue;
        }
        EvaluationResult result =
            noClasses()
                .that()
                .resideInAPackage(pkg)
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
  void onlyAFeaturesReconcilerImportsItsSubpackages() {
    List<ArchRule> rules = new ArrayList<>();
    for (String feature : List.of("finetune", "serve")) {
      rules.add(
          noClasses()
              .that()
              .resideInAPackage(OP + "." + feature)
              .and()
              .haveSimpleNameNotEndingWith("Reconciler")
              .should()
              .dependOnClassesThat()
              .resideInAPackage(OP + "." + feature + ".*..")
              .because("builders are pure: spec in, desired objects out"));
    }
    CompositeArchRule.of(rules).check(CLASSES);
  }

  @Test
  void featuresAndSharedPackagesFormNoCycle() {
    slices().matching(OP + ".(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void everyPackageIsOnTheMap() {
    List<PackageMatcher> placed =
        LEVELS.stream().flatMap(List::stream).map(PackageMatcher::of).toList();
    assertThat(CLASSES.stream().map(JavaClass::getPackageName).distinct())
        .as("packages missing from LEVELS")
        .allMatch(p -> placed.stream().anyMatch(m -> m.matches(p)));
  }
}
