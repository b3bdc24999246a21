package dev.marathon.cli;

import dev.marathon.activities.model.Provider;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.workflows.RunState;
import java.io.PrintWriter;

/**
 * Starts a run (a new one, a fork, a rewound one) and either returns ({@code --detach}: a worker
 * carries it) or hosts a worker here and follows the run to its end or to a pause that needs an
 * operator. Returns the exit code.
 */
final class RunStarter {

  static int start(Connection conn, RunState state, boolean detach, PrintWriter out, PrintWriter err) throws InterruptedException {
    String id = state.spec.runId();
    if (detach && !conn.durable()) {
      throw new BadInputException("--detach needs a Temporal server that outlives this command; install the Temporal CLI"
          + " (scripts/install-temporal-cli) or start one with ./marathon server");
    }
    Runs runs = new Runs(conn.client());
    if (detach) {
      runs.start(state);
      err.println("Started run " + id + " on branch " + state.spec.branch() + ". A worker carries it: ./marathon worker");
      if (!new RunInspector(runs).workerPolling()) {
        err.println("warning: no worker is polling this server right now; the run waits until one starts (./marathon worker)");
      }
      if (conn.uiUrl() != null) err.println("Web UI: " + Ui.runUrl(conn.uiUrl(), conn.namespace(), id));
      out.println(id);
      return ExitCodes.OK;
    }
    MarathonHome home = MarathonHome.fromEnvironment();
    // This command's own worker: what its user typed for this run (containment, endpoint) is the operator's word for it.
    WorkerPolicy policy = WorkerHost.policy(home).trusting(id, state.spec.model().apiKeyEnv(), state.spec.model().baseUrl());
    try (WorkerHost worker = WorkerHost.start(conn.client(), home, policy)) {
      if (Provider.of(state.spec.model()) == Provider.LOCAL) {
        worker.localModels().ensureServing(state.spec.model().baseUrl(), line -> {
          err.println("[marathon] " + line);
          err.flush();
        });
      }
      runs.start(state);
      if (conn.uiUrl() != null) err.println("[marathon] Web UI: " + Ui.runUrl(conn.uiUrl(), conn.namespace(), id));
      return new RunFollower(runs, out, err, () -> conn.restartOwnServer(err)).follow(id, true);
    }
  }

  private RunStarter() {}
}
