package dev.marathon.cli;

import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.runtime.RunTranscript;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "diff", mixinStandardHelpOptions = true, description = {"What a turn, or the whole run, changed in the workspace.",
    "From the run's snapshots, so it includes what bash did (and what is not committed), not only edits.",
    "Without --turn: from where the run started to where it is now."})
final class DiffCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Option(names = "--turn", paramLabel = "N", description = "Only what turn N's tool calls changed.")
  Integer turn;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    OptionChecks.atLeast("--turn", turn, 1);
    try (RecordedRun r = RecordedRun.read(connection, run.value, spec.commandLine().getErr())) {
      RunTranscript t = r.transcript();
      if (t.lastTurn() == 0) throw new BadInputException("run " + r.id() + " has no turns yet");
      int first = turn == null ? 1 : turn;
      int last = turn == null ? t.lastTurn() : turn;
      if (first < 1 || last > t.lastTurn()) throw new BadInputException("--turn " + turn + " is outside run " + r.id() + "'s turns 1.." + t.lastTurn());
      String from = before(t, first);
      String to = before(t, last + 1);
      if (to == null) to = r.state().workspaceRef; // after the last turn: where the run is now
      if (from == null) {
        throw new BadInputException("run " + r.id() + " was recorded before Marathon kept each turn's workspace (commit c47e2bf, 2026-12-01)");
      }
      Workspace ws = r.workspace();
      if (!ws.hasSnapshots()) {
        throw new BadInputException("run " + r.id() + "'s snapshots are not on this machine: './marathon gc' removes an ended run's"
            + " workspace after --keep-days (its branch stays in your repository), or the run worked on another machine"
            + " (a run on a git URL is read from the shared store: set MARATHON_STORE)");
      }
      String patch;
      try {
        patch = ws.history().diff(from, to);
      } catch (WorkspaceException e) {
        throw new BadInputException("cannot read run " + r.id() + "'s snapshots: " + e.getMessage());
      }
      spec.commandLine().getErr().println((turn == null ? "the whole run" : "turn " + turn) + ": " + from.substring(0, 12) + ".." + to.substring(0, 12));
      spec.commandLine().getOut().print(patch.isEmpty() ? "(no changes)\n" : patch);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** The snapshot turn {@code n} started from, or null (n past the last turn, or not recorded). */
  private static String before(RunTranscript t, int n) {
    RunTranscript.Turn turn = t.turn(n);
    return turn == null || turn.meta() == null ? null : turn.meta().workspaceRef();
  }
}
