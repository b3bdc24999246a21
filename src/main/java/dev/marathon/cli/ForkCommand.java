package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Repositories;
import dev.marathon.runtime.RunAt;
import dev.marathon.runtime.RunIds;
import dev.marathon.workflows.AgentWorkflow;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.Text;
import dev.marathon.workflows.api.CreateRunInput;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "fork", mixinStandardHelpOptions = true, description = {"Start a new run from a run's state right after turn N.",
    "The conversation as turn N+1 would have seen it (every earlier turn's reasoning verbatim, compacted or",
    "not as it was), the workspace snapshot of that moment on a new branch marathon/NEW, the plan and the",
    "usage so far. The original run and its branch are untouched, even while it runs."})
final class ForkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Option(names = "--turn", required = true, paramLabel = "N", description = "Fork right after this turn's tool results.")
  int turn;

  @Option(names = "--id", paramLabel = "NEW", description = "The new run's id (default: <id>-fork-<N>-xxxx).")
  String id;

  @Option(names = "--message", paramLabel = "TEXT", description = "An operator message the fork's first turn receives.")
  String message;

  @Option(names = "--detach", description = "Start the fork and return; a worker (./marathon worker) carries it.")
  boolean detach;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OptionChecks.atLeast("--turn", turn, 1);
    if (id != null && RunIds.problem(id) != null) throw new BadInputException("--id: " + RunIds.problem(id));
    // The message reaches the fork as a steering message: the same limits.
    if (message != null) OptionChecks.text("--message", message, AgentWorkflow.MAX_STEER_CHARS, SteerCommand.LONG_TEXT);
    try (Connection conn = connection.open(true, err); RecordedRun source = RecordedRun.read(conn, run.value)) {
      RunAt at = source.at(turn);
      String newId = id != null ? id : RunIds.fresh(source.id() + "-fork-" + turn);
      String problem = RunIds.problem(newId);
      if (problem != null) throw new BadInputException(problem);
      RunSpec from = source.state().spec;
      String branch = "marathon/" + newId;
      if (Repositories.branchExists(from.repo(), branch)) {
        throw new BadInputException("branch " + branch + " already exists in " + from.repo() + "; pick another --id");
      }
      RunSpec forkSpec = new RunSpec(newId, Text.oneLine("fork of " + source.id() + " at turn " + turn + ": " + from.title(), 200),
          from.repo(), branch, from.model(), from.options(), null, null);
      RunState fork = at.stateFor(forkSpec, source.state(), at.usage());
      fork.forkedFrom = new CreateRunInput.ForkedFrom(source.state().spec.workspaceKey(), at.workspaceRef());
      if (message != null) fork.conversation.steering.add(message);
      fork.recordAction("forked from " + source.id() + " at turn " + turn);
      err.println("[marathon] forking " + source.id() + " after turn " + turn + " (of " + source.transcript().lastTurn() + ") as " + newId
          + " on branch " + branch);
      err.flush();
      return RunStarter.start(conn, fork, detach, out, err);
    }
  }
}
