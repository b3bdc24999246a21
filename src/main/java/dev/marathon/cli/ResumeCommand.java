package dev.marathon.cli;

import dev.marathon.runtime.CheckpointResume;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.workflows.Budget;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "resume", mixinStandardHelpOptions = true,
    description = {"Host a worker and follow a run to its end (after an outage).",
        "--from-checkpoint continues a closed run (terminated, timed out, failed) as a new run of the",
        "same id from its last checkpoint: same conversation, workspace snapshot, plan and usage.",
        "Exit codes as for run: 0 finished, 1 failed, 2 bad input, 3 ended without finishing or paused."})
final class ResumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunIdArgument run;

  @Option(names = "--from-checkpoint", description = "Continue a closed run from its last checkpoint, as a new run.")
  boolean fromCheckpoint;

  @Option(names = "--max-turns", paramLabel = "N", description = "Raise the turn budget on the way.")
  Integer maxTurns;

  @Option(names = "--max-hours", paramLabel = "H", description = "Raise the time budget on the way.")
  Double maxHours;

  @Mixin ConnectionOptions connection;
  @Mixin WorkerPolicyOptions allow;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OptionChecks.atLeast("--max-turns", maxTurns, 1);
    OptionChecks.positive("--max-hours", maxHours);
    try (Connection conn = connection.open(true, err);
        WorkerHost worker = WorkerHost.start(conn.client(), MarathonHome.fromEnvironment(), allow.policy(MarathonHome.fromEnvironment()))) {
      Runs runs = new Runs(conn.client());
      WorkflowExecutionDescription d = runs.describe(run.value);
      if (d.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        if (!fromCheckpoint || d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
          err.println("run " + run.value + " is " + Runs.statusName(d.getStatus()) + "; nothing to resume."
              + (d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? ""
                  : " To continue it from its last checkpoint as a new run: ./marathon resume " + run.value + " --from-checkpoint"));
          return d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? ExitCodes.OK : ExitCodes.FAILED;
        }
        String newRun = new CheckpointResume(conn.client()).resume(run.value, "./marathon resume --from-checkpoint");
        err.println("[marathon] resumed " + run.value + " from its checkpoint as a new run (" + newRun + "), linked to the "
            + Runs.statusName(d.getStatus()) + " one (" + d.getExecution().getRunId() + ")");
      }
      if (maxTurns != null || maxHours != null) {
        Budget now = runs.typed(run.value).budget(new Budget(maxTurns, maxHours, null, null));
        err.println("[marathon] budget now: " + now);
      }
      return new RunFollower(runs, out, err, () -> conn.restartOwnServer(err)).follow(run.value, true);
    }
  }
}
