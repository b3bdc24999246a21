package dev.marathon.cli;

import dev.marathon.runtime.RunInspector;
import dev.marathon.workflows.RunOutcome;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;

/**
 * What {@code ./marathon} exits with; scripts rely on these. Commands that follow a run to its end
 * ({@code run}, {@code resume}) exit with what the run's ending deserves ({@link #of}).
 */
final class ExitCodes {
  /** The run finished (the agent called finish), or the command did what was asked. */
  static final int OK = 0;
  /** The run failed (Temporal failed, terminated or timed it out), or the command could not do what was asked. */
  static final int FAILED = 1;
  /** Bad input: a missing repository, an unknown option, an unusable id. */
  static final int BAD_INPUT = 2;
  /**
   * The run ended without finishing (a budget, a cancel, an operator's finish that got no report),
   * or it is paused and waits for an operator, whatever the cause: it has not failed, and nothing
   * is lost.
   */
  static final int NOT_FINISHED = 3;

  /** The one policy: the exit code for a run as it stands when a follower leaves it. */
  static int of(RunInspector.View view) {
    if (view.executionStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      return view.report().outcome() == RunOutcome.FINISHED ? OK : NOT_FINISHED;
    }
    if (view.running() || view.executionStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED) {
      return NOT_FINISHED; // paused, or cancelled from the Web UI (gracefully, with a report)
    }
    return FAILED;
  }

  private ExitCodes() {}
}
