package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.marathon.runtime.RunInspector;
import dev.marathon.workflows.RunOutcome;
import dev.marathon.workflows.RunReport;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import org.junit.jupiter.api.Test;

/** What {@code run} and {@code resume} exit with, as the README promises scripts: 0 finished, 1 failed, 3 not finished or paused. */
class ExitCodesTest {

  static RunInspector.View view(WorkflowExecutionStatus status, RunOutcome outcome) {
    RunReport report = outcome == null ? null : new RunReport(outcome, "summary", "marathon/r-1", "abc", null);
    return new RunInspector.View("r-1", "e-1", status, 2, new RunInspector.Attributes(null, 0, 0, 0), null, null, report);
  }

  @Test
  void aCompletedRunExitsByItsOutcome() {
    WorkflowExecutionStatus completed = WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
    assertEquals(0, ExitCodes.of(view(completed, RunOutcome.FINISHED)));
    assertEquals(3, ExitCodes.of(view(completed, RunOutcome.INCOMPLETE)), "ended at a budget without finishing");
    assertEquals(3, ExitCodes.of(view(completed, RunOutcome.CANCELLED)), "an operator's cancel is not a failure");
  }

  @Test
  void aRunStillOpenOrCancelledFromTheWebUiHasNotFailed() {
    assertEquals(3, ExitCodes.of(view(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, null)), "paused, waiting for an operator");
    assertEquals(3, ExitCodes.of(view(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED, null)));
  }

  @Test
  void whatTemporalEndedIsAFailure() {
    for (WorkflowExecutionStatus s : new WorkflowExecutionStatus[] {WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
        WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT}) {
      assertEquals(1, ExitCodes.of(view(s, null)), s.name());
    }
  }

  @Test
  void theCodesAreTheDocumentedOnes() {
    assertEquals(0, ExitCodes.OK);
    assertEquals(1, ExitCodes.FAILED);
    assertEquals(2, ExitCodes.BAD_INPUT);
    assertEquals(3, ExitCodes.NOT_FINISHED);
  }
}
