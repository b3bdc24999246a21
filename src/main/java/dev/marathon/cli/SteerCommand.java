package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.DataConverters;
import dev.marathon.runtime.HttpUpdate;
import dev.marathon.workflows.AgentWorkflow;
import dev.marathon.workflows.SteerReceipt;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
  public Integer call() throws Exception {
    String message = OptionChecks.text("the steer MESSAGE", String.join(" ", words), AgentWorkflow.MAX_STEER_CHARS, LONG_TEXT);
    String updateId = UUID.randomUUID().toString(); // one id both ways: the server applies it once
    HttpUpdate.Result overHttp = connection.httpApi()
        .map(api -> HttpUpdate.send(api, connection.namespace, run.value, "steer", updateId, message, Duration.ofSeconds(10)))
        .orElse(new HttpUpdate.Result.NotApplied());
    if (overHttp instanceof HttpUpdate.Result.Refused r) return refused(r.message());
    if (overHttp instanceof HttpUpdate.Result.Applied a) return delivered(receipt(a.value()));
    if (overHttp instanceof HttpUpdate.Result.Unknown) {
      // Sent, with no outcome to show: sending it again could deliver it twice.
      spec.commandLine().getErr().println("error: the steer was sent to run " + run.value + " but no answer came back; it may have been"
          + " delivered (./marathon status " + run.value + " --json counts the messages waiting for the next turn: pendingSteering)");
      return ExitCodes.FAILED;
    }
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      try {
        UpdateOptions<SteerReceipt> options = UpdateOptions.newBuilder(SteerReceipt.class).setUpdateName("steer").setUpdateId(updateId)
            .setWaitForStage(WorkflowUpdateStage.COMPLETED).build();
        return delivered(conn.client().newUntypedWorkflowStub(run.value).startUpdate(options, message).getResult());
      } catch (WorkflowUpdateException e) {
        return refused(RunFollower.rootMessage(e));
      } catch (WorkflowNotFoundException e) {
        return ClosedRuns.explain(conn, run.value, "steer", spec.commandLine().getErr());
      }
    }
  }

  /** @param receipt null when the run's answer could not be read (the steer was delivered all the same) */
  private int delivered(SteerReceipt receipt) {
    spec.commandLine().getOut().println("delivered to " + run.value + (receipt == null ? "" : " at turn " + receipt.turn()));
    return ExitCodes.OK;
  }

  private static SteerReceipt receipt(com.fasterxml.jackson.databind.JsonNode value) {
    try {
      return value == null ? null : DataConverters.mapper().treeToValue(value, SteerReceipt.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException unreadable) {
      return null;
    }
  }

  private int refused(String why) {
    spec.commandLine().getErr().println("error: steer refused: " + why);
    return ExitCodes.FAILED;
  }
}
