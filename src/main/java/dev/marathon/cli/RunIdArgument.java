package dev.marathon.cli;

import picocli.CommandLine.Parameters;

/** The run id argument every operator command takes first. */
final class RunIdArgument {
  @Parameters(index = "0", paramLabel = "ID", description = "The run id (the workflow id).")
  String value;
}
