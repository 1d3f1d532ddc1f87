package io.kubetune.trainer.cli;

/** Says plainly that a subcommand is not built yet, and fails. */
final class NotImplemented {
  private NotImplemented() {}

  static KubetuneException subcommand(String name) {
    return new KubetuneException(
        ExitCodes.NOT_IMPLEMENTED, "'" + name + "' is not implemented in this build of kubetune");
  }
}
