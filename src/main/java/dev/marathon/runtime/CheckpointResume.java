package dev.marathon.runtime;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.ResetWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Continues a closed run (terminated, timed out, failed) from its last checkpoint: a Temporal
 * reset of the run to its last completed workflow task. The new run replays the old one's history
 * up to that point, so it starts with the exact refs, plan, usage and turn the old one had, and
 * re-executes whatever was in flight; the Web UI links the two runs.
 *
 * <p>A reset, not a query of the closed run's state: the Java SDK cannot replay a history that
 * ends in a termination mid-task, and a reset also covers runs that failed in workflow code.
 */
public final class CheckpointResume {
  private final WorkflowClient client;

  public CheckpointResume(WorkflowClient client) {
    this.client = client;
  }

  /** Returns the new run's execution id. */
  public String resume(String workflowId, String reason) {
    WorkflowExecutionDescription d = client.newUntypedWorkflowStub(workflowId).describe();
    WorkflowExecutionStatus status = d.getStatus();
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      throw new IllegalStateException("run " + workflowId + " is still running");
    }
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      throw new IllegalStateException("run " + workflowId + " completed; there is nothing to continue");
    }
    WorkflowExecution closed = d.getExecution();
    List<Long> completedTasks = new ArrayList<>();
    for (HistoryEvent e : client.fetchHistory(workflowId, closed.getRunId()).getEvents()) {
      if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) completedTasks.add(e.getEventId());
    }
    // A failed or cancelled run closed in its last task: go back to the one before it.
    boolean closedByCode = status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED
        || status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED;
    int index = completedTasks.size() - (closedByCode ? 2 : 1);
    if (index < 0) throw new IllegalStateException("run " + workflowId + " has no checkpoint to continue from");
    return client.getWorkflowServiceStubs().blockingStub().resetWorkflowExecution(ResetWorkflowExecutionRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .setWorkflowExecution(closed)
            .setWorkflowTaskFinishEventId(completedTasks.get(index))
            .setReason(reason)
            .setRequestId(UUID.randomUUID().toString())
            .build())
        .getRunId();
  }
}
