package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Repositories;
import dev.marathon.runtime.RunAt;
import dev.marathon.runtime.Runs;
import dev.marathon.workflows.Lifecycle;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.api.KeepInput;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rewind", mixinStandardHelpOptions = true, description = {"Put a paused or ended run back to right after turn N.",
    "Its conversation, workspace and plan go back; the run goes on from there under its own id and branch.",
    "The work it goes back over is kept on branch marathon-rewound/<id>/<k> (and in its snapshots).",
    "A running run must be paused first."})
final class RewindCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Option(names = "--turn", required = true, paramLabel = "N", description = "Go back to right after this turn's tool results.")
  int turn;

  @Option(names = "--detach", description = "For an ended run: start it again and return; a worker carries it.")
  boolean detach;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OptionChecks.atLeast("--turn", turn, 1);
    try (Connection conn = connection.open(true, err)) {
      Runs runs = new Runs(conn.client());
      WorkflowExecutionStatus status = runs.describe(run.value).getStatus();
      boolean running = status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
      RecordedRun r = RecordedRun.read(conn, run.value);
      if (running && r.state().lifecycle.stage() != Lifecycle.Stage.PAUSED) {
        throw new BadInputException("run " + r.id() + " is running: pause it first (./marathon pause " + r.id() + "), then rewind");
      }
      RunAt at = r.at(turn);
      RunState s = r.state();
      String kept = keptBranch(r.id(), s.spec.repo());
      // The user's repository is written by the run's worker, under its lease, before the run goes on.
      if (running) {
        runs.typed(r.id()).rewind(at.rewind().keepingWorkOn(kept));
        err.println("[marathon] run " + r.id() + " is back after turn " + turn + "; the work after it is kept on branch " + kept
            + " before it goes on (./marathon watch " + r.id() + ")");
        out.println(r.id());
        return ExitCodes.OK;
      }
      RunState again = at.stateFor(s.spec, s, s.spending.usage); // what was spent stays spent
      again.workspaceRef = at.workspaceRef();
      again.toKeep = new KeepInput(s.spec.workspaceKey(), s.workspaceRef, kept,
          "marathon: " + r.id() + " as it was before it was rewound to turn " + turn, at.workspaceRef());
      again.recordAction("rewound to turn " + turn);
      err.println("[marathon] run " + r.id() + " starts again after turn " + turn + "; the work after it is kept on branch " + kept
          + " and branch " + s.spec.branch() + " goes back to turn " + turn + " first");
      err.flush();
      return RunStarter.start(conn, again, detach, out, err);
    }
  }

  /** {@code marathon-rewound/<id>/<k>}, the first k not taken. */
  static String keptBranch(String id, String repo) {
    for (int k = 1; ; k++) {
      String name = "marathon-rewound/" + id + "/" + k;
      if (!Repositories.branchExists(repo, name)) return name;
    }
  }
}
