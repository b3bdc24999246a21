package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What {@code ./marathon gc} keeps: running and paused runs, runs closed within --keep-days, and workspaces touched lately. */
class GcKeepRuleTest {
  static final Instant CUTOFF = Instant.parse("2025-06-10T12:00:00Z");
  static final Instant LONG_AGO = Instant.parse("2025-05-01T08:30:00Z");
  static final Instant LATELY = Instant.parse("2025-06-12T09:00:00Z");

  @Test
  void aRunningOrPausedRunIsKeptHoweverOld() {
    assertNull(GcCommand.whyRemove(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, Instant.EPOCH, CUTOFF, LONG_AGO));
  }

  @Test
  void aClosedRunGoesOnceItClosedBeforeTheCutoff() {
    assertEquals("completed 2025-05-01T08:30:00Z",
        GcCommand.whyRemove(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED, LONG_AGO, CUTOFF, null));
    assertEquals("failed 2025-05-01T08:30:00Z", GcCommand.whyRemove(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED, LONG_AGO, CUTOFF, null));
    assertEquals("canceled 2025-05-01T08:30:00Z", GcCommand.whyRemove(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED, LONG_AGO, CUTOFF, null));
    assertEquals("terminated 2025-05-01T08:30:00Z",
        GcCommand.whyRemove(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED, LONG_AGO, CUTOFF, null));
    assertNull(GcCommand.whyRemove(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED, LATELY, CUTOFF, null),
        "closed within --keep-days: its snapshots still serve diff, fork and rewind");
    assertNull(GcCommand.whyRemove(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED, CUTOFF, CUTOFF, null),
        "closed exactly at the cutoff is within it");
  }

  @Test
  void aRunTheServerDoesNotKnowGoesOnceItsWorkspaceIsUntouchedSinceTheCutoff() {
    assertEquals("unknown to the server, untouched since 2025-05-01T08:30:00Z", GcCommand.whyRemove(null, null, CUTOFF, LONG_AGO));
    assertNull(GcCommand.whyRemove(null, null, CUTOFF, LATELY), "perhaps a run of another server, still at work");
  }
}
