package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Runs;
import dev.marathon.workflows.AgentWorkflow;
import dev.marathon.workflows.SteerReceipt;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "steer", mixinStandardHelpOptions = true, description = {"Send the agent a message.",
    "It lands at the next turn boundary; the answer says which turn. Refused once the run is ending."})
final class SteerCommand implements Callable<Integer> {
  /** What to do with a message over the cap. */
  static final String LONG_TEXT = "put long text in a file in the repository and point the agent at it";

  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "MESSAGE", description = "What to tell the agent.")
  List<String> words;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    String message = OptionChecks.text("the steer MESSAGE", String.join(" ", words), AgentWorkflow.MAX_STEER_CHARS, LONG_TEXT);
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      try {
        SteerReceipt receipt = new Runs(conn.client()).typed(run.value).steer(message);
        spec.commandLine().getOut().println("delivered to " + run.value + " at turn " + receipt.turn());
        return ExitCodes.OK;
      } catch (WorkflowUpdateException e) {
        spec.commandLine().getErr().println("error: steer refused: " + RunFollower.rootMessage(e));
        return ExitCodes.FAILED;
      } catch (WorkflowNotFoundException e) {
        return ClosedRuns.explain(conn, run.value, "steer", spec.commandLine().getErr());
      }
    }
  }
}
