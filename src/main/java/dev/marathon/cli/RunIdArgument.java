package dev.marathon.cli;

import picocli.CommandLine.Parameters;

/** The run id argument every operator command takes first; an empty one is refused while parsing. */
final class RunIdArgument {
  String value;

  @Parameters(index = "0", paramLabel = "ID", description = "The run id (the workflow id).")
  void value(String id) {
    if (id != null && id.isBlank()) throw new BadInputException("the run id (ID) is empty");
    value = id;
  }
}
