package io.kubetune.trainer.cli;

import ai.djl.engine.Engine;
import picocli.CommandLine;

/** Reports the kubetune version from the jar manifest, and what it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Kubetune.class.getPackage().getImplementationVersion();
    // the class literal does not start the engine: this stays fast and offline
    String djl = Engine.class.getPackage().getSpecificationVersion();
    return new String[] {
      "kubetune " + (version == null ? "(development build, not from a jar)" : version),
      "DJL " + (djl == null ? "unknown" : djl) + ", Java " + Runtime.version()
    };
  }
}
