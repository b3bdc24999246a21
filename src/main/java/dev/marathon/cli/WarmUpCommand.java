package dev.marathon.cli;

import dev.marathon.activities.FileTrees;
import dev.marathon.runtime.ClassWarmUp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Hidden: what the launcher runs once per build to make its class-data sharing archive. */
@Command(name = "warm-up", hidden = true, description = "Load the classes commands and workers use, then exit (for the launcher's CDS archive).")
final class WarmUpCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    Main.commandLine(); // every command's classes and picocli's, though a command line builds only its own
    Path scratch = Files.createTempDirectory("marathon-warm-up");
    try {
      ClassWarmUp.run(scratch);
    } finally {
      FileTrees.delete(scratch);
    }
    return ExitCodes.OK;
  }
}
