package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "resume",
    description = {"Host a worker and follow a run to its end: what to type after an outage.",
        "--from-checkpoint continues a closed (failed, terminated, cancelled) run as a new run of",
        "the same id, from its last conversation checkpoint, workspace snapshot, plan and usage."})
final class ResumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The run id.")
  String runId;

  @Option(names = "--from-checkpoint", description = "Continue a closed run from its last checkpoint, as a new run.")
  boolean fromCheckpoint;

  @Option(names = "--max-turns", paramLabel = "N", description = "With --from-checkpoint: a new turn budget.")
  Integer maxTurns;

  @Option(names = "--max-hours", paramLabel = "H", description = "With --from-checkpoint: a new time budget.")
  Double maxHours;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Connection conn = connection.open(true, err);
        WorkerHost worker = WorkerHost.start(conn.client(), MarathonHome.fromEnvironment())) {
      Runs runs = new Runs(conn.client());
      WorkflowExecutionDescription d = runs.describe(runId);
      boolean running = d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
      if (!running) {
        if (!fromCheckpoint) {
          err.println("run " + runId + " is " + Runs.statusName(d.getStatus()) + "; nothing to resume."
              + " To continue it from its last checkpoint as a new run: ./marathon resume " + runId + " --from-checkpoint");
          return d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? ExitCodes.OK : ExitCodes.FAILED;
        }
        RunState last = new RunInspector(runs).state(runId);
        if (last == null) throw new IllegalStateException("could not read the last state of run " + runId);
        RunState next = continued(last, runId + "/" + d.getExecution().getRunId());
        runs.start(next);
        err.println("[marathon] resumed " + runId + " from its checkpoint (turn " + next.turn + ", " + next.toolCalls
            + " tool calls, plan of " + next.plan.size() + " steps) as a new run");
      } else if (fromCheckpoint) {
        err.println("[marathon] run " + runId + " is still running; following it instead");
      }
      return new RunFollower(runs, out, err).follow(runId, true);
    }
  }

  /** The closed run's state, ready to go on: same refs, plan, usage; the ending cleared. */
  private RunState continued(RunState s, String from) {
    s.resumedFrom = from;
    s.outcome = null;
    s.summary = null;
    s.stop = null;
    s.pause = null;
    s.runsInChain = 1;
    s.startedAtMillis = 0; // the time budget counts from the resume
    s.stuck.reset();
    s.budget = s.budget.raisedBy(new Budget(maxTurns, maxHours, null, null));
    return s;
  }
}
