package io.kubetune.trainer.cli;

import picocli.CommandLine;

/** Reports the kubetune version from the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Kubetune.class.getPackage().getImplementationVersion();
    return new String[] {"kubetune " + (version == null ? "(development build)" : version)};
  }
}
