package dev.marathon.cli;

import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.Runs;
import dev.marathon.workflows.Action;
import dev.marathon.workflows.Pause;
import dev.marathon.workflows.PlanStep;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunReport;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.TemporalFailure;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Follows a run to its end on the terminal: turns, tools and plan changes on stderr, the final
 * summary on stdout. Reads the run through {@link RunInspector}, like status and watch; returns
 * the exit code {@link ExitCodes#of} gives the run's ending. A server that stops answering is
 * waited for, not a reason to leave: leaving would end the run's worker in this process too.
 */
final class RunFollower {
  private static final long POLL_MILLIS = 500;

  private final Runs runs;
  private final RunInspector inspector;
  private final PrintWriter out;
  private final PrintWriter err;
  /** What is done each time the server does not answer (start again the server this command started). */
  private final Runnable whileServerAway;
  /** The server did not answer the last read. */
  private boolean serverAway;

  RunFollower(Runs runs, PrintWriter out, PrintWriter err) {
    this(runs, out, err, () -> {});
  }

  RunFollower(Runs runs, PrintWriter out, PrintWriter err, Runnable whileServerAway) {
    this.runs = runs;
    this.inspector = new RunInspector(runs);
    this.out = out;
    this.err = err;
    this.whileServerAway = whileServerAway;
  }

  /**
   * @param leaveOnPause return when the run pauses for a reason an operator must fix (budget,
   *     stuck agent, model error), instead of waiting with it
   */
  int follow(String runId, boolean leaveOnPause) throws InterruptedException {
    Progress last = null;
    while (true) {
      RunInspector.View view = read(runId);
      if (view == null) { // the server is away
        Thread.sleep(POLL_MILLIS);
        continue;
      }
      if (!view.running()) return ended(runId, view, last);
      Progress now = view.progress(); // null: no worker has the run yet, or it is between runs of its chain
      if (now != null) {
        print(last, now);
        last = now;
        if (leaveOnPause && now.pause() != null && now.pause().cause() != Pause.Cause.OPERATOR) return paused(runId, view);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** The run now, or null while the server does not answer (said once as it goes, and once as it is back). */
  private RunInspector.View read(String runId) {
    try {
      RunInspector.View view = inspector.now(runId);
      if (serverAway) err.println("[marathon] the Temporal server answers again");
      serverAway = false;
      return view;
    } catch (RuntimeException e) {
      String why = unavailable(e);
      if (why == null) throw e;
      if (!serverAway) {
        err.println("[marathon] the Temporal server does not answer (" + why + "); the run's work is safe."
            + " Waiting for the server: once it is back, the run goes on from its last step.");
        err.flush();
      }
      serverAway = true;
      whileServerAway.run();
      return null;
    }
  }

  private void print(Progress before, Progress now) {
    if (before == null) {
      err.printf("[marathon] run %s on branch %s · model %s%n", now.workflowId(), now.branch(), now.model());
    }
    int seen = before == null || before.recent().isEmpty() ? 0 : before.recent().get(before.recent().size() - 1).seq();
    if (!now.recent().isEmpty() && now.recent().get(0).seq() > seen + 1) {
      err.printf("  (%d earlier steps not shown)%n", now.recent().get(0).seq() - seen - 1);
    }
    for (Action a : now.recent()) {
      if (a.seq() > seen) err.printf("[turn %d] %s%n", a.turn(), a.line());
    }
    if (!now.plan().isEmpty() && (before == null || !now.plan().equals(before.plan()))) {
      err.println("  plan: " + plan(now.plan()));
    }
    if (now.pause() != null && (before == null || before.pause() == null)) {
      err.println("[marathon] paused (" + now.pause().cause().name().toLowerCase(Locale.ROOT) + "): " + now.pause().reason());
    }
    if (now.pause() == null && before != null && before.pause() != null) err.println("[marathon] unpaused");
    if (now.runsInChain() > 1 && before != null && now.runsInChain() != before.runsInChain()) {
      err.println("[marathon] continued as new (run " + now.runsInChain() + " of the chain; history stays small)");
    }
    err.flush();
  }

  static String plan(List<PlanStep> steps) {
    StringBuilder sb = new StringBuilder();
    for (PlanStep s : steps) {
      String mark = switch (s.status()) {
        case COMPLETED -> "[x] ";
        case IN_PROGRESS -> "[>] ";
        case PENDING -> "[ ] ";
      };
      sb.append(mark).append(s.step().length() > 60 ? s.step().substring(0, 59) + "…" : s.step()).append("  ");
    }
    return sb.toString().strip();
  }

  private int paused(String runId, RunInspector.View view) {
    Pause pause = view.progress().pause();
    err.println();
    err.println("The run is paused and waits, durably, for an operator: " + pause.reason());
    switch (pause.cause()) {
      case BUDGET -> err.println("Raise the budget with ./marathon budget " + runId + " --max-turns N (or --max-hours, --max-tokens, --max-cost),"
          + " or let it report with ./marathon finish " + runId + "; then ./marathon resume " + runId + " to follow it.");
      case MODEL_ERROR, WORKSPACE_ERROR, STORE_ERROR -> err.println("Fix the cause (for a key: set it in the worker's environment and restart"
          + " the worker), then ./marathon unpause " + runId + " and ./marathon resume " + runId + ".");
      default -> err.println("Look at it (./marathon status " + runId + "), then ./marathon unpause " + runId + " and ./marathon resume " + runId + ".");
    }
    out.println(runId);
    out.flush();
    err.flush();
    return ExitCodes.of(view);
  }

  private int ended(String runId, RunInspector.View view, Progress last) {
    WorkflowExecutionStatus status = view.executionStatus();
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      RunReport report = view.report();
      print(last, report.progress()); // the steps taken since the last poll
      err.printf("[marathon] run %s ended %s after %d turns and %d tool calls; branch %s%s%n",
          runId, report.outcome().name().toLowerCase(Locale.ROOT), report.progress().turn(), report.progress().toolCalls(),
          report.branch(), report.head() == null ? "" : " at " + report.head().substring(0, Math.min(12, report.head().length())));
      out.println(report.summary() == null ? "" : report.summary());
      out.println();
      out.println("run: " + runId);
      out.flush();
      err.flush();
      return ExitCodes.of(view);
    }
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED) {
      // Cancelled from the Web UI or the temporal CLI: graceful, and the report is in its progress.
      Progress end = view.progress();
      if (end != null) print(last, end);
      err.println("[marathon] run " + runId + " cancelled" + (end == null ? "" : " after " + end.turn() + " turns"));
      out.println(end == null || end.summary() == null ? "" : end.summary());
      out.println();
      out.println("run: " + runId);
      out.flush();
      err.flush();
      return ExitCodes.of(view);
    }
    String reason = "";
    try {
      runs.result(runId);
    } catch (WorkflowFailedException e) {
      reason = ": " + rootMessage(e);
    } catch (RuntimeException e) {
      reason = ": " + e.getMessage();
    }
    err.println("[marathon] run " + runId + " " + Runs.statusName(status) + reason);
    err.println("Its work so far is kept: ./marathon resume " + runId + " --from-checkpoint starts a new run from its last checkpoint.");
    out.println("run: " + runId);
    out.flush();
    err.flush();
    return ExitCodes.of(view);
  }

  /**
   * Why the server did not answer, when that is all {@code e} says, or null: UNAVAILABLE (the
   * server is down or restarting) or DEADLINE_EXCEEDED (it is hung or stopped, or the network to
   * it is cut: every attempt of the client's minute ran out its time). A follower then waits
   * instead of leaving: leaving would take the run's worker in this process with it, and the
   * night's work would stop until someone resumed it, though the server came back in a minute.
   */
  static String unavailable(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof StatusRuntimeException s
          && (s.getStatus().getCode() == Status.Code.UNAVAILABLE || s.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED)) {
        return s.getMessage();
      }
    }
    return null;
  }

  /** The innermost message of {@code t} and its causes; a Temporal failure's as it was raised, without its type and flags. */
  static String rootMessage(Throwable t) {
    String message = t.getMessage();
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c instanceof TemporalFailure f ? f.getOriginalMessage() : c.getMessage();
      if (m != null && !m.isEmpty()) message = m;
    }
    return message;
  }
}
