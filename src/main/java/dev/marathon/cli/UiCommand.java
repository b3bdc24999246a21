package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Runs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "ui", mixinStandardHelpOptions = true, description = "Print the Web UI address of the run's current execution.")
final class UiCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;
  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      if (conn.uiUrl() == null) throw new BadInputException("this server has no Web UI");
      String execution = new Runs(conn.client()).describe(run.value).getExecution().getRunId();
      spec.commandLine().getOut().println(Ui.executionUrl(conn.uiUrl(), conn.namespace(), run.value, execution));
      return ExitCodes.OK;
    }
  }
}
