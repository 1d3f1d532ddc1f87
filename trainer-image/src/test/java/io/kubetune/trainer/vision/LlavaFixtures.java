package io.kubetune.trainer.vision;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.testing.Fixtures;
import java.nio.file.Path;

/** The LLaVA reference fixtures written by src/test/python/make_llava_fixtures.py. */
final class LlavaFixtures {
  static final Path ROOT = Fixtures.ROOT.resolve("llava");
  static final Path MODEL = ROOT.resolve("model");
  static final Path IMAGES = ROOT.resolve("images");

  private LlavaFixtures() {}

  static JsonNode reference() {
    return Fixtures.json(ROOT.resolve("reference.json"));
  }
}
