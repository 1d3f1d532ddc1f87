package io.kubetune.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.cfg.PackageVersion;
import org.junit.jupiter.api.Test;

/**
 * The parent pom names the Jackson and JUnit releases for trainer-image and the api; the operator
 * gets them from the Quarkus BOM. A Quarkus upgrade that moves either fails here, so the parent is
 * updated with it and both programs keep running the same libraries.
 */
class SharedVersionsTest {
  @Test
  void jacksonIsTheReleaseTheParentNames() {
    assertThat(PackageVersion.VERSION.toString())
        .isEqualTo(System.getProperty("kubetune.jacksonVersion"));
  }

  @Test
  void junitIsTheReleaseTheParentNames() {
    assertThat(Test.class.getPackage().getImplementationVersion())
        .isEqualTo(System.getProperty("kubetune.junitVersion"));
  }
}
