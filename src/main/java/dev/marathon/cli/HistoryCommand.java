package dev.marathon.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.HistoryChain;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "history", mixinStandardHelpOptions = true, description = {"Export a run's Temporal history (every run of its chain).",
    "Oldest first. --json prints {workflowId, runs: [{runId, events, history}]}, each history as the",
    "temporal CLI prints it (replayable with WorkflowReplayer)."})
final class HistoryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Option(names = "--json", description = "Print the histories as JSON.")
  boolean json;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      List<WorkflowExecutionHistory> chain = HistoryChain.fetch(conn.client(), run.value);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("workflowId", run.value);
        ArrayNode runs = root.putArray("runs");
        for (WorkflowExecutionHistory h : chain) {
          runs.addObject()
              .put("runId", h.getWorkflowExecution().getRunId())
              .put("events", h.getEvents().size())
              .set("history", Json.MAPPER.readTree(h.toJson(false)));
        }
        out.println(Json.MAPPER.writeValueAsString(root));
      } else {
        int i = 1;
        for (WorkflowExecutionHistory h : chain) {
          out.printf("run %d of %d  %s  %6d events  %,10d bytes%n", i++, chain.size(), h.getWorkflowExecution().getRunId(),
              h.getEvents().size(), h.getHistory().getSerializedSize());
        }
        out.println("(--json exports them)");
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
