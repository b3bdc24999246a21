package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Runs;
import io.temporal.client.WorkflowNotFoundException;
import java.io.PrintWriter;

/**
 * A signal or update to a run that has ended fails as "not found"; this tells the operator which
 * it is: a run that ended (exit 1) or no such run (exit 2).
 */
final class ClosedRuns {

  static int explain(Connection conn, String runId, String verb, PrintWriter err) {
    try {
      String status = Runs.statusName(new Runs(conn.client()).describe(runId).getStatus());
      err.println("error: " + verb + " refused: the run has ended (" + status + ")");
      return ExitCodes.FAILED;
    } catch (WorkflowNotFoundException e) {
      err.println("error: no run with id " + runId + " on this server");
      return ExitCodes.BAD_INPUT;
    }
  }

  private ClosedRuns() {}
}
